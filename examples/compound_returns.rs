//! Per-asset compound returns from a long table of (asset, date, return)
//! rows with missing values: the pandas workflow
//!
//! ```python
//! df["compound"] = (1 + df["ret"]).groupby(df["asset"]).cumprod() - 1
//! ```
//!
//! ported to ndarray, and checked against pandas' numbers (pandas 3.1,
//! printed with `repr`), bit for bit.
//!
//! ```text
//! cargo run --example compound_returns
//! ```

use ndarray::{array, Axis};
use ndarray_cumprod::{factorize, Cumprod, CumprodExt};

fn main() {
    // The long table: one row per (asset, month), returns as fractions,
    // NaN where a month is missing.
    let asset = [
        "AAPL", "MSFT", "GOOG", "AAPL", "MSFT", "GOOG", "AAPL", "MSFT", "GOOG", "AAPL", "MSFT",
        "GOOG",
    ];
    let date = [
        "2024-01-31",
        "2024-01-31",
        "2024-01-31",
        "2024-02-29",
        "2024-02-29",
        "2024-02-29",
        "2024-03-31",
        "2024-03-31",
        "2024-03-31",
        "2024-04-30",
        "2024-04-30",
        "2024-04-30",
    ];
    let ret = array![
        0.021,
        -0.013,
        0.035,
        f64::NAN,
        0.042,
        -0.008,
        -0.017,
        f64::NAN,
        0.012,
        0.030,
        0.011,
        f64::NAN
    ];

    // pandas' groupby keys become dense codes; `keep_nan` is pandas'
    // skipna=True: a missing month stays missing and the asset's product
    // goes on past it.
    let (codes, _assets) = factorize(asset);
    let growth = ret.mapv(|r| 1.0 + r);
    let how = Cumprod::along(Axis(0)).groups(&codes).keep_nan();
    let compound = growth.nancumprod_with(how).mapv(|g| g - 1.0);

    // pandas' numbers, from the line above run on the same table.
    let pandas = [
        0.020999999999999908,
        -0.013000000000000012,
        0.03499999999999992,
        f64::NAN,
        0.02845399999999998,
        0.026719999999999855,
        0.003642999999999841,
        f64::NAN,
        0.03904063999999985,
        0.033752289999999796,
        0.03976699399999983,
        f64::NAN,
    ];

    println!(
        "{:<6} {:<11} {:>8} {:>22}",
        "asset", "date", "return", "compound"
    );
    for i in 0..ret.len() {
        println!(
            "{:<6} {:<11} {:>8.3} {:>22.17}",
            asset[i], date[i], ret[i], compound[i]
        );
        assert_eq!(
            compound[i].to_bits(),
            pandas[i].to_bits(),
            "row {i} differs from pandas"
        );
    }
    println!("identical to pandas, bit for bit");
}
