//! The `npy` example's code path (`examples/npy/`) on `.npy` files written by
//! NumPy (`tests/data/npy/gen_npy.py`): every result reads back with NumPy's
//! shape, dtype, memory order and data, bit for bit, however small the chunks;
//! bad input gets its error and leaves no output behind.

// Miri stops at the memory maps: "Miri does not support file-backed memory
// mappings" (nightly of 2026-11). The example needs the `std` feature.
#![cfg(all(feature = "std", not(miri)))]

#[path = "../../examples/npy/job.rs"]
#[allow(dead_code)]
mod job;
#[path = "../../examples/npy/mapped.rs"]
mod mapped;

use std::fs;
use std::path::{Path, PathBuf};

use job::{Error, Job, Scan};
use ndarray::ArrayD;
use ndarray_npy::ReadNpyExt;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/npy")
}

/// A directory of its own for each test's outputs.
fn scratch(test: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("ndarray-cumprod-npy-{}-{test}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// What a `.npy` file holds, read with `ndarray-npy`: the dtype's name, the
/// Fortran flag, the shape and every element's bits.
fn contents(path: &Path) -> (String, bool, Vec<usize>, Vec<u64>) {
    let bytes = fs::read(path).unwrap();
    let header = ndarray_npy::npy::header::Header::from_reader(&mut &bytes[..]).unwrap();
    let descr = header.type_descriptor.to_string();
    let fortran = header.layout.is_fortran() && header.shape.len() > 1;
    fn bits<T: ndarray_npy::ReadableElement + Clone>(b: &[u8], f: impl Fn(T) -> u64) -> Vec<u64> {
        let a = ArrayD::<T>::read_npy(b).unwrap();
        // Logical (C) order, whatever the file's memory order.
        a.iter().cloned().map(f).collect()
    }
    let values = match descr.as_str() {
        "'<f8'" => bits::<f64>(&bytes, |x| x.to_bits()),
        "'<f4'" => bits::<f32>(&bytes, |x| u64::from(x.to_bits())),
        "'<i8'" => bits::<i64>(&bytes, |x| x as u64),
        "'<u8'" => bits::<u64>(&bytes, |x| x),
        other => panic!("unexpected dtype {other} in {}", path.display()),
    };
    (descr, fortran, header.shape, values)
}

/// Whether a file is in Fortran order (with more than one dimension).
fn fortran_order(path: &Path) -> bool {
    let bytes = fs::read(path).unwrap();
    let header = ndarray_npy::npy::header::Header::from_reader(&mut &bytes[..]).unwrap();
    header.layout.is_fortran() && header.shape.len() > 1
}

/// The job and the input of an expected file `INPUT__OP.npy`.
fn job_of(expected: &Path, output: PathBuf, chunk: usize) -> Job {
    let stem = expected.file_stem().unwrap().to_str().unwrap();
    let (input, op) = stem.split_once("__").unwrap();
    let mut parts = op.split('_');
    let scan = match parts.next().unwrap() {
        "flat" => Scan::Flat,
        axis => Scan::Axis(axis.trim_start_matches("axis").parse().unwrap()),
    };
    let rest: Vec<&str> = parts.collect();
    Job {
        input: data().join("in").join(format!("{input}.npy")),
        output,
        scan,
        nan: rest.contains(&"nan"),
        reverse: rest.contains(&"rev"),
        chunk,
    }
}

#[test]
fn every_file_matches_numpy_bit_for_bit_whatever_the_chunk() {
    let dir = scratch("all");
    let mut expected: Vec<PathBuf> = fs::read_dir(data().join("expected"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    expected.sort();
    assert!(expected.len() > 400, "the NumPy files are there");
    let out = dir.join("out.npy");
    for file in &expected {
        let want = contents(file);
        // The input's order, from its header alone (`contents` reads only
        // the result dtypes).
        let input_fortran = fortran_order(&job_of(file, out.clone(), 1).input);
        // Chunks of one element, a few, and more than any file holds.
        for chunk in [1, 3, 7, 1 << 22] {
            let job = job_of(file, out.clone(), chunk);
            let mut calls = 0;
            let done = job::run(&job, &mut |_, _| calls += 1)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let got = contents(&out);
            let what = format!("{} with chunks of {chunk}", file.display());
            // dtype, shape and every element's bits.
            assert_eq!(
                (&got.0, &got.2, &got.3),
                (&want.0, &want.2, &want.3),
                "{what}"
            );
            // The memory order is the input's, as NumPy's `cumprod` keeps it
            // (the expected files of reverse scans are C order: NumPy saved
            // a flipped view).
            let fortran = input_fortran && matches!(job.scan, Scan::Axis(_));
            assert_eq!(got.1, fortran, "{what}");
            if !job.reverse {
                assert_eq!(got.1, want.1, "{what}");
            }
            assert_eq!(done.shape, want.2);
            assert!(calls >= 1, "progress is reported");
        }
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_chunks_and_the_progress_cover_the_array_once() {
    let dir = scratch("progress");
    let input = data().join("in/float64_F_2x3x4.npy");
    for (scan, reverse) in [
        (Scan::Flat, false),
        (Scan::Axis(0), true),
        (Scan::Axis(2), false),
    ] {
        let job = Job {
            input: input.clone(),
            output: dir.join("out.npy"),
            scan,
            nan: false,
            reverse,
            chunk: 5,
        };
        let mut seen = Vec::new();
        job::run(&job, &mut |done, total| seen.push((done, total))).unwrap();
        assert_eq!(seen.last(), Some(&(24, 24)));
        assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "{seen:?}");
        assert!(
            seen.len() >= 5,
            "chunks of at most 5 of 24 elements: {seen:?}"
        );
    }
    fs::remove_dir_all(&dir).unwrap();
}

/// Runs `job` expecting an error; checks that no output file, nor the
/// temporary one, is left.
fn fails(job: &Job) -> Error {
    let err = job::run(job, &mut |_, _| {}).expect_err("an error");
    assert!(!job.output.exists(), "no output after: {err}");
    let dir = job.output.parent().unwrap();
    if dir.exists() {
        let left: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "left behind: {left:?} after {err}");
    }
    err
}

fn bad(name: &str, out: &Path) -> Job {
    Job {
        input: data().join("bad").join(name),
        output: out.to_path_buf(),
        scan: Scan::Flat,
        nan: false,
        reverse: false,
        chunk: 4,
    }
}

#[test]
fn bad_input_gets_a_clear_error_and_no_output() {
    let dir = scratch("bad");
    let out = dir.join("out.npy");
    let message = |job: &Job| fails(job).to_string();

    let m = message(&bad("missing.npy", &out));
    assert!(
        m.contains("cannot read") && m.contains("missing.npy"),
        "{m}"
    );
    let m = message(&bad("not_npy.npy", &out));
    assert!(m.contains("not a .npy file"), "{m}");
    let m = message(&bad("header_only.npy", &out));
    assert!(m.contains("not a .npy file"), "{m}");
    let m = message(&bad("truncated.npy", &out));
    assert!(
        m.contains("truncated") && m.contains("192 bytes") && m.contains("184"),
        "{m}"
    );
    for (file, dtype) in [
        ("float16.npy", "<f2"),
        ("int16.npy", "<i2"),
        ("big_endian.npy", ">f8"),
    ] {
        let m = message(&bad(file, &out));
        assert!(m.contains("unsupported dtype") && m.contains(dtype), "{m}");
    }
    let mut job = bad("../in/float64_C_3x5.npy", &out);
    for k in [2, -3, 7] {
        job.scan = Scan::Axis(k);
        let m = message(&job);
        assert_eq!(
            m,
            format!(
                "axis {k} is out of bounds for array of dimension 2 \
                 (use --flat for the flattened array)"
            )
        );
    }
    // NumPy scans a 0-d array as one of shape (1,).
    let mut zero_d = bad("../in/int64_C_0d.npy", &out);
    zero_d.scan = Scan::Axis(1);
    assert!(message(&zero_d).contains("axis 1 is out of bounds for array of dimension 1"));

    // An output that cannot be written: its directory is missing, or it is
    // a directory.
    let mut job = bad("../in/float64_C_3x5.npy", &dir.join("no/such/dir/out.npy"));
    let m = fails(&job).to_string();
    assert!(m.contains("cannot write"), "{m}");
    job.output = dir.clone();
    let m = job::run(&job, &mut |_, _| {}).unwrap_err().to_string();
    assert!(m.contains("cannot write") && m.contains("directory"), "{m}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_failed_run_leaves_an_existing_output_as_it_was() {
    let dir = scratch("keep");
    let out = dir.join("out.npy");
    fs::write(&out, b"earlier results").unwrap();
    let err = job::run(&bad("truncated.npy", &out), &mut |_, _| {}).unwrap_err();
    assert!(err.to_string().contains("truncated"));
    assert_eq!(fs::read(&out).unwrap(), b"earlier results");
    assert_eq!(
        fs::read_dir(&dir).unwrap().count(),
        1,
        "no temporary file left"
    );
    // A run that succeeds replaces it.
    let mut job = bad("../in/int32_C_3x5.npy", &out);
    job.scan = Scan::Axis(1);
    job::run(&job, &mut |_, _| {}).unwrap();
    assert_eq!(contents(&out).0, "'<i8'");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_command_line_reads_as_documented() {
    let parse = |line: &str| {
        let args: Vec<String> = line.split_whitespace().map(String::from).collect();
        job::parse(&args)
    };
    let job = parse("in.npy out.npy").unwrap();
    assert_eq!((job.scan, job.nan, job.reverse), (Scan::Flat, false, false));
    assert_eq!(
        (job.input, job.output),
        (PathBuf::from("in.npy"), PathBuf::from("out.npy"))
    );
    assert_eq!(job.chunk, job::CHUNK);
    let job = parse("--nan in.npy --axis -1 out.npy --reverse").unwrap();
    assert_eq!(
        (job.scan, job.nan, job.reverse),
        (Scan::Axis(-1), true, true)
    );
    assert_eq!(parse("a b --axis=2").unwrap().scan, Scan::Axis(2));
    assert_eq!(parse("a b --flat").unwrap().scan, Scan::Flat);
    for (line, why) in [
        ("a", "expected IN.npy and OUT.npy, got 1 paths"),
        ("a b c", "expected IN.npy and OUT.npy, got 3 paths"),
        ("a b --axis", "--axis needs a number"),
        ("a b --axis x", "--axis needs a whole number, not 'x'"),
        (
            "a b --axis 1 --flat",
            "give one of --axis K and --flat, once",
        ),
        (
            "a b --axis 1 --axis 2",
            "give one of --axis K and --flat, once",
        ),
        ("a b --fast", "unknown option '--fast'"),
    ] {
        let err = parse(line).unwrap_err();
        assert!(err.contains(why), "{line}: {err}");
    }
}
