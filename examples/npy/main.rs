//! NumPy's `cumprod` of `.npy` files of any size, chunk by chunk.
//!
//! ```text
//! cargo run --release --example npy -- IN.npy OUT.npy [--axis K | --flat] [--nan] [--reverse]
//! ```
//!
//! Writes `np.cumprod(np.load(IN), axis=K)` to `OUT` as an `.npy` file that
//! NumPy loads (`--flat`, the default: `axis=None`; `--nan`: `nancumprod`;
//! `--reverse`: the products from the end, `np.flip(np.cumprod(np.flip(a, K),
//! K), K)`). The input is read through a memory map and the output written
//! through another, a chunk of 4 Mi elements at a time, continued with the
//! carry of the chunk before, so that memory use stays bounded whatever the
//! file's size, and the result equals the whole array's bit for bit.
//!
//! Reads little-endian `float64`, `float32`, `int64`, `int32`, `uint8` and
//! `bool` files, in C or Fortran order. The result has NumPy's dtype: small
//! integers and bool are promoted to `int64` (`uint8` to `uint64`), and its
//! memory order is the input's. Integer products wrap around on overflow in
//! a release build, as NumPy's do (a debug build stops with Rust's overflow
//! panic).
//!
//! A progress bar shows on stderr when the work takes more than a second and
//! stderr is a terminal. On any error (a missing, truncated or non-`.npy`
//! input, an unsupported dtype, an axis out of bounds, an output that cannot
//! be written) the example prints the reason and exits with status 1 (2 for
//! a wrong command line), and leaves no output file: the output is written
//! under a temporary name beside `OUT` and renamed into place at the end.
//!
//! The input file must not change while it is read (as with NumPy's
//! `mmap_mode="r"`).

mod job;
mod mapped;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use job::{parse, USAGE};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let job = match parse(&args) {
        Ok(job) => job,
        Err(why) => {
            eprintln!("npy: {why}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // The bar appears once the work has taken a second; drawn on stderr,
    // and not at all when stderr is not a terminal.
    let started = Instant::now();
    let mut bar: Option<ProgressBar> = None;
    let mut progress = |done: u64, total: u64| {
        if bar.is_none() && started.elapsed() >= Duration::from_secs(1) && done < total {
            let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template(
                    "{elapsed_precise} [{wide_bar}] {percent:>3}% of {human_len}, eta {eta}",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            bar = Some(b);
        }
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let result = job::run(&job, &mut progress);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    match result {
        Ok(done) => {
            eprintln!(
                "npy: wrote {} ({}, shape {:?}{}) in {:.2?}",
                job.output.display(),
                done.dtype,
                done.shape,
                if done.fortran { ", Fortran order" } else { "" },
                started.elapsed()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("npy: {e}");
            ExitCode::from(1)
        }
    }
}
