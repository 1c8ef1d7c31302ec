use ndarray::{Array2, Axis};
use ndarray_cumprod::CumprodExt;
use std::hint::black_box;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args[1].parse().unwrap();
    let k: usize = args[2].parse().unwrap();
    let mut a = Array2::<f64>::from_elem((n, n), 1.0000001);
    for (i, v) in a.iter_mut().enumerate() {
        *v = 1.0 + ((i * 7 + 3) % 17) as f64 * 1e-9;
    }
    let mut s = 0.0;
    for _ in 0..(400_000_000 / (n * n)) {
        let r = black_box(&a).cumprod_axis(Axis(k));
        s += r[[0, 0]];
    }
    println!("{s}");
}
