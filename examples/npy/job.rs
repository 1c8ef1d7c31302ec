//! What the `npy` example does: NumPy's `cumprod` (or `nancumprod`, or the
//! reverse scan) of an `.npy` file into another, chunk by chunk.
//!
//! The input is mapped into memory and viewed with `ndarray-npy`; the output
//! is created at its full size next to its final path, under a temporary
//! name, mapped and filled, then written back and renamed into place, so that
//! a run that fails leaves no output behind (and an existing file at the
//! output path as it was).
//!
//! The scan goes a chunk of at most [`Job::chunk`] elements at a time, in the
//! file's memory order: whole lanes when they are short, else a run of rows
//! along the axis (or a band of a row, for very long rows) continued from
//! the previous chunk's last row with [`Cumprod::carry`], which gives the
//! whole array's result bit for bit. After each chunk the pages of both maps
//! are handed back ([`Release`]), so the memory held stays about two chunks,
//! whatever the file's size.
//!
//! A flat scan (`axis=None`) goes in C order whatever the file's: for a
//! Fortran-order file each chunk, a run of whole rows, is gathered into a
//! buffer first, reading the rows' elements a column's run at a time.
//!
//! The output is created sparse, at its full size: on a disk that fills up
//! while the map is written, the kernel stops the process (`SIGBUS`), and
//! only the temporary `.OUT.partial` file is left.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::Seek;
use std::ops::{Mul, Range};
use std::path::{Path, PathBuf};

use ndarray::{
    arr0, s, Array1, ArrayView, ArrayViewD, ArrayViewMut1, ArrayViewMutD, Axis, Dimension, IxDyn,
    ShapeBuilder,
};
use ndarray_cumprod::{Cumprod, CumprodExt, NanAware};
use ndarray_npy::npy::header::{Header, Layout};
use ndarray_npy::{ViewElement, ViewMutElement, ViewMutNpyExt, ViewNpyExt, WritableElement};

use super::mapped::{self, Both, Release};

/// Which cumulative product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scan {
    /// Of the flattened array, in C order (NumPy's `axis=None`).
    Flat,
    /// Along an axis (negative counts from the end, as in NumPy).
    Axis(isize),
}

/// One run of the example.
#[derive(Clone, Debug)]
pub struct Job {
    /// The `.npy` file to read.
    pub input: PathBuf,
    /// The `.npy` file to write (replaced if it exists).
    pub output: PathBuf,
    /// Flat or along an axis.
    pub scan: Scan,
    /// `nancumprod`: NaN counts as one.
    pub nan: bool,
    /// From the end: `np.flip(np.cumprod(np.flip(a, k), k), k)`.
    pub reverse: bool,
    /// The most elements scanned at a time.
    pub chunk: usize,
}

/// The default chunk: 4 Mi elements (32 MiB of `f64`).
pub const CHUNK: usize = 4 << 20;

/// The command line's help.
pub const USAGE: &str = "usage: npy IN.npy OUT.npy [--axis K | --flat] [--nan] [--reverse]

Writes NumPy's cumprod of IN.npy to OUT.npy:
  --axis K   along axis K (negative counts from the end)
  --flat     of the flattened array, NumPy's axis=None (the default)
  --nan      nancumprod: NaN counts as one
  --reverse  the products from the end";

/// Reads the command line (without the program name).
pub fn parse(args: &[String]) -> Result<Job, String> {
    let mut paths = Vec::new();
    let mut scan = None;
    let (mut nan, mut reverse) = (false, false);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let axis = match arg.as_str() {
            "--axis" => Some(
                args.next()
                    .ok_or("--axis needs a number, such as --axis 0 or --axis -1")?
                    .clone(),
            ),
            a if a.starts_with("--axis=") => Some(a["--axis=".len()..].to_string()),
            _ => None,
        };
        if let Some(k) = axis {
            let k: isize = k
                .parse()
                .map_err(|_| format!("--axis needs a whole number, not '{k}'"))?;
            if scan.replace(Scan::Axis(k)).is_some() {
                return Err("give one of --axis K and --flat, once".into());
            }
            continue;
        }
        match arg.as_str() {
            "--flat" => {
                if scan.replace(Scan::Flat).is_some() {
                    return Err("give one of --axis K and --flat, once".into());
                }
            }
            "--nan" => nan = true,
            "--reverse" => reverse = true,
            a if a.starts_with('-') && a.len() > 1 => {
                return Err(format!("unknown option '{a}'"));
            }
            path => paths.push(PathBuf::from(path)),
        }
    }
    let [input, output]: [PathBuf; 2] = paths
        .try_into()
        .map_err(|p: Vec<PathBuf>| format!("expected IN.npy and OUT.npy, got {} paths", p.len()))?;
    Ok(Job {
        input,
        output,
        scan: scan.unwrap_or(Scan::Flat),
        nan,
        reverse,
        chunk: CHUNK,
    })
}

/// Why a run failed.
#[derive(Debug)]
pub enum Error {
    /// The input cannot be read, or is not a valid `.npy` file.
    Input(PathBuf, String),
    /// The output cannot be written.
    Output(PathBuf, String),
    /// The axis is out of bounds (NumPy's message).
    Axis { axis: isize, ndim: usize },
    /// The input's dtype is not one this example reads.
    Dtype(PathBuf, String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(path, why) => write!(f, "cannot read {}: {why}", path.display()),
            Error::Output(path, why) => write!(f, "cannot write {}: {why}", path.display()),
            Error::Axis { axis, ndim } => write!(
                f,
                "axis {axis} is out of bounds for array of dimension {ndim} \
                 (use --flat for the flattened array)"
            ),
            Error::Dtype(path, descr) => write!(
                f,
                "{}: unsupported dtype {descr}; this example reads little-endian float64, \
                 float32, int64 and int32, and uint8 and bool",
                path.display()
            ),
        }
    }
}

impl std::error::Error for Error {}

/// What a run did: the output's dtype and shape.
#[derive(Debug, PartialEq, Eq)]
pub struct Done {
    /// NumPy's name of the output's dtype.
    pub dtype: &'static str,
    /// The output's shape.
    pub shape: Vec<usize>,
    /// Whether the output is in Fortran order (as the input is).
    pub fortran: bool,
}

/// The input dtypes, and the dtype of their product (NumPy's promotion:
/// small integers and bool to the platform integer of their signedness).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dtype {
    F64,
    F32,
    I64,
    I32,
    U8,
    Bool,
}

impl Dtype {
    fn of(header: &Header) -> Option<Dtype> {
        let d = &header.type_descriptor;
        [
            (f64::type_descriptor(), Dtype::F64),
            (f32::type_descriptor(), Dtype::F32),
            (i64::type_descriptor(), Dtype::I64),
            (i32::type_descriptor(), Dtype::I32),
            (u8::type_descriptor(), Dtype::U8),
            (bool::type_descriptor(), Dtype::Bool),
        ]
        .into_iter()
        .find(|(t, _)| t == d)
        .map(|(_, dtype)| dtype)
    }

    /// The bytes of an element.
    fn size(self) -> usize {
        match self {
            Dtype::F64 | Dtype::I64 => 8,
            Dtype::F32 | Dtype::I32 => 4,
            Dtype::U8 | Dtype::Bool => 1,
        }
    }

    /// NumPy's name of the result's dtype.
    fn result(self) -> &'static str {
        match self {
            Dtype::F64 => "float64",
            Dtype::F32 => "float32",
            Dtype::I64 | Dtype::I32 | Dtype::Bool => "int64",
            Dtype::U8 => "uint64",
        }
    }
}

/// Runs `job`, calling `progress(done, total)` (in elements) after each
/// chunk.
pub fn run(job: &Job, progress: &mut dyn FnMut(u64, u64)) -> Result<Done, Error> {
    let input_error = |why: String| Error::Input(job.input.clone(), why);
    let file = File::open(&job.input).map_err(|e| input_error(e.to_string()))?;
    let size = file
        .metadata()
        .map_err(|e| input_error(e.to_string()))?
        .len();
    if size < 10 {
        return Err(input_error(format!(
            "not a .npy file ({size} bytes, shorter than any .npy header)"
        )));
    }
    let map = mapped::Input::open(&file).map_err(|e| input_error(e.to_string()))?;
    let bytes = map.bytes();
    let mut rest = bytes;
    let header = Header::from_reader(&mut rest)
        .map_err(|e| input_error(format!("not a .npy file, or a damaged one ({e})")))?;
    let offset = bytes.len() - rest.len();
    let dtype = Dtype::of(&header)
        .ok_or_else(|| Error::Dtype(job.input.clone(), header.type_descriptor.to_string()))?;
    let ndim = header.shape.len();
    let axis = match job.scan {
        Scan::Flat => None,
        Scan::Axis(k) => {
            // NumPy scans a 0-d array as one of shape (1,): along axis 0 or
            // -1, that is the flat scan.
            let dims = ndim.max(1);
            let n = dims as isize;
            if k >= n || k < -n {
                return Err(Error::Axis {
                    axis: k,
                    ndim: dims,
                });
            }
            (ndim > 0).then_some(if k < 0 { k + n } else { k } as usize)
        }
    };
    // The data must be all there, and nothing after it.
    let len = header
        .shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .filter(|n| n.checked_mul(dtype.size()).is_some())
        .ok_or_else(|| input_error(format!("the shape {:?} is too large", header.shape)))?;
    let data = bytes.len() - offset;
    if data < len * dtype.size() {
        return Err(input_error(format!(
            "truncated: the header describes {} bytes of data, the file has {data}",
            len * dtype.size()
        )));
    }
    if data > len * dtype.size() {
        return Err(input_error(format!(
            "{} bytes after the data the header describes",
            data - len * dtype.size()
        )));
    }
    let fortran = header.layout.is_fortran() && ndim > 1;
    let (shape, out_fortran) = match axis {
        None => (vec![len], false),
        Some(_) => (header.shape.clone(), fortran),
    };
    let plan = Plan {
        axis,
        nan: job.nan,
        reverse: job.reverse,
        chunk: job.chunk.max(1),
    };
    let done = Done {
        dtype: dtype.result(),
        shape: shape.clone(),
        fortran: out_fortran,
    };
    let out = Out::create(&job.output, &shape, out_fortran)?;
    let result = match dtype {
        Dtype::F64 => out.fill::<f64, f64>(view(bytes, &job.input)?, &map, &plan, progress),
        Dtype::F32 => out.fill::<f32, f32>(view(bytes, &job.input)?, &map, &plan, progress),
        Dtype::I64 => out.fill::<i64, i64>(view(bytes, &job.input)?, &map, &plan, progress),
        Dtype::I32 => out.fill::<i32, i64>(view(bytes, &job.input)?, &map, &plan, progress),
        Dtype::U8 => out.fill::<u8, u64>(view(bytes, &job.input)?, &map, &plan, progress),
        Dtype::Bool => {
            // NumPy's bools are bytes 0 and 1: read as `u8`, which views
            // them without the pass over the whole file that checking them
            // as `bool` would make first.
            let data = &bytes[offset..offset + len];
            let x = ArrayView::from_shape(IxDyn(&header.shape).set_f(fortran), data)
                .expect("the length was checked");
            out.fill::<u8, i64>(x, &map, &plan, progress)
        }
    };
    result.map(|()| done)
}

/// The input's data as an array view of `A` (its length already checked).
/// `view_npy` reads the header once more (microseconds, once per run): it is
/// what turns the bytes into elements of `A` without `unsafe`.
fn view<'a, A: ViewElement>(bytes: &'a [u8], path: &Path) -> Result<ArrayViewD<'a, A>, Error> {
    ArrayViewD::<A>::view_npy(bytes).map_err(|e| Error::Input(path.to_path_buf(), e.to_string()))
}

/// The scan to make, for the chunk loops.
struct Plan {
    /// `None`: the flattened array.
    axis: Option<usize>,
    nan: bool,
    reverse: bool,
    chunk: usize,
}

/// The output file while it is being written: a temporary file next to the
/// final path, removed unless [`Out::fill`] succeeds.
struct Out {
    path: PathBuf,
    temporary: PathBuf,
    file: Option<File>,
    shape: Vec<usize>,
    fortran: bool,
}

impl Out {
    fn create(path: &Path, shape: &[usize], fortran: bool) -> Result<Out, Error> {
        let error = |why: String| Error::Output(path.to_path_buf(), why);
        if path.is_dir() {
            return Err(error("it is a directory".into()));
        }
        if let Ok(meta) = fs::metadata(path) {
            if meta.permissions().readonly() {
                return Err(error("the file is read-only".into()));
            }
        }
        let name = path
            .file_name()
            .ok_or_else(|| error("the path names no file".into()))?;
        let mut temporary_name = std::ffi::OsString::from(".");
        temporary_name.push(name);
        temporary_name.push(".partial");
        let temporary = path.with_file_name(temporary_name);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&temporary)
            .map_err(|e| error(e.to_string()))?;
        Ok(Out {
            path: path.to_path_buf(),
            temporary,
            file: Some(file),
            shape: shape.to_vec(),
            fortran,
        })
    }

    /// Writes the header of an array of `B`, sizes the file, maps it and
    /// scans `x` into it, then writes it back and renames it into place.
    fn fill<A, B>(
        mut self,
        x: ArrayViewD<'_, A>,
        input: &mapped::Input,
        plan: &Plan,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(), Error>
    where
        A: Clone + Into<B>,
        B: WritableElement + ViewMutElement + NanAware + Mul<Output = B>,
    {
        let error = |why: String| Error::Output(self.path.clone(), why);
        let mut file = self.file.take().expect("filled once");
        let len: usize = self.shape.iter().product();
        let header = Header {
            type_descriptor: B::type_descriptor(),
            layout: if self.fortran {
                Layout::Fortran
            } else {
                Layout::Standard
            },
            shape: self.shape.clone(),
        };
        let written = header
            .write(&mut file)
            .map_err(|e| e.to_string())
            .and_then(|()| file.stream_position().map_err(|e| e.to_string()))
            .and_then(|at| {
                let data = (len as u64) * std::mem::size_of::<B>() as u64;
                file.set_len(at + data).map_err(|e| e.to_string())
            });
        written.map_err(error)?;
        let mut map = mapped::Output::create(&file).map_err(|e| error(e.to_string()))?;
        {
            let (bytes, pages) = map.bytes();
            let y = ArrayViewMutD::<B>::view_mut_npy(bytes)
                .map_err(|e| error(format!("the new file does not read back: {e}")))?;
            let both = Both(input, pages);
            scan(x, y, plan, &both, progress);
            both.1.flush().map_err(|e| error(e.to_string()))?;
        }
        drop(map);
        drop(file);
        fs::rename(&self.temporary, &self.path).map_err(|e| error(e.to_string()))?;
        Ok(())
    }
}

impl Drop for Out {
    fn drop(&mut self) {
        // Not renamed into place: nothing is left behind.
        let _ = fs::remove_file(&self.temporary);
    }
}

/// Scans `x` into `y` (the same shape and memory order, or one dimension of
/// `x`'s length for a flat scan) a chunk at a time.
fn scan<A, B>(
    x: ArrayViewD<'_, A>,
    y: ArrayViewMutD<'_, B>,
    plan: &Plan,
    pages: &dyn Release,
    progress: &mut dyn FnMut(u64, u64),
) where
    A: Clone + Into<B>,
    B: NanAware + Mul<Output = B>,
{
    if x.is_empty() {
        progress(0, 0);
        return;
    }
    let total = x.len() as u64;
    let mut done = 0u64;
    let mut step = |n: usize| {
        pages.release();
        done += n as u64;
        progress(done, total);
    };
    match plan.axis {
        None => {
            let mut y = y.into_shape_with_order(x.len()).expect("one dimension");
            let y = y.as_slice_mut().expect("a new file is contiguous");
            let mut carry: Option<B> = None;
            let mut buffer: Vec<A> = Vec::new();
            blocks(x, 0, plan, &mut |block, start| {
                let n = block.len();
                let out = ArrayViewMut1::from(&mut y[start..start + n]);
                flat_block(block, out, &mut carry, &mut buffer, plan);
                step(n);
            });
        }
        Some(k) => {
            // In memory order: a Fortran-order array is the C-order array of
            // its axes reversed.
            let (x, y, k) = if x.is_standard_layout() {
                (x, y, k)
            } else {
                let last = x.ndim() - 1;
                (x.reversed_axes(), y.reversed_axes(), last - k)
            };
            along(x, y, k, plan, &mut step);
        }
    }
}

/// The scan of one chunk: `x` into `y` along `axis`, continued from `carry`.
fn scan_chunk<A, B, D>(
    x: ArrayView<'_, A, D>,
    y: &mut ndarray::ArrayViewMut<'_, B, D>,
    axis: Axis,
    carry: Option<ArrayViewD<'_, B>>,
    plan: &Plan,
) where
    A: Clone + Into<B>,
    B: NanAware + Mul<Output = B>,
    D: Dimension,
{
    let mut how = Cumprod::along(axis);
    if plan.reverse {
        how = how.reverse();
    }
    let how = match &carry {
        Some(c) => how.carry(c),
        None => how.typed::<B>(),
    };
    let result = if plan.nan {
        x.nancumprod_with_into(&how, y)
    } else {
        x.cumprod_with_into(&how, y)
    };
    result.expect("a chunk and its output have one shape");
}

/// An axis scan of C-contiguous `x` into `y`, as blocks `(outer, n, inner)`.
fn along<A, B>(
    x: ArrayViewD<'_, A>,
    y: ArrayViewMutD<'_, B>,
    k: usize,
    plan: &Plan,
    step: &mut dyn FnMut(usize),
) where
    A: Clone + Into<B>,
    B: NanAware + Mul<Output = B>,
{
    let shape = x.shape().to_vec();
    let outer: usize = shape[..k].iter().product();
    let n = shape[k];
    let inner: usize = shape[k + 1..].iter().product();
    let x = x
        .into_shape_with_order((outer, n, inner))
        .expect("C-contiguous");
    let mut y = y
        .into_shape_with_order((outer, n, inner))
        .expect("C-contiguous");
    let chunk = plan.chunk;
    if n * inner <= chunk {
        // Whole lanes: several blocks at a time, nothing to carry.
        let blocks = (chunk / (n * inner)).max(1);
        for o in (0..outer).step_by(blocks) {
            let o1 = (o + blocks).min(outer);
            let mut out = y.slice_mut(s![o..o1, .., ..]);
            scan_chunk(x.slice(s![o..o1, .., ..]), &mut out, Axis(1), None, plan);
            step((o1 - o) * n * inner);
        }
    } else {
        // Runs of rows (or bands of a row) along the axis, each continued
        // from the row before it.
        let (rows, width) = if inner <= chunk {
            ((chunk / inner).max(1), inner)
        } else {
            (1, chunk)
        };
        for o in 0..outer {
            for j in (0..inner).step_by(width) {
                let j1 = (j + width).min(inner);
                let mut carry: Option<Array1<B>> = None;
                for Range { start: r0, end: r1 } in in_scan_order(n, rows, plan.reverse) {
                    let mut out = y.slice_mut(s![o, r0..r1, j..j1]);
                    let c = carry.as_ref().map(|c| c.view().into_dyn());
                    scan_chunk(x.slice(s![o, r0..r1, j..j1]), &mut out, Axis(0), c, plan);
                    let last = if plan.reverse { 0 } else { r1 - r0 - 1 };
                    carry = Some(out.row(last).to_owned());
                    step((r1 - r0) * (j1 - j));
                }
            }
        }
    }
}

/// The ranges `0..count`, `count..2 * count`, ... that cover `0..len`, in the
/// order a scan visits them: from the last for a reverse scan.
fn in_scan_order(len: usize, count: usize, reverse: bool) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = (0..len)
        .step_by(count.max(1))
        .map(|r| r..(r + count.max(1)).min(len))
        .collect();
    if reverse {
        ranges.reverse();
    }
    ranges
}

/// Calls `f(block, start)` on consecutive blocks of `x` in C order (from
/// the end for a reverse scan), `start` being the block's first position in
/// the flattened array: runs of sub-arrays along the first axis, or of
/// elements, of at most `plan.chunk` elements (more than that only for a
/// single element).
fn blocks<'a, A>(
    x: ArrayViewD<'a, A>,
    start: usize,
    plan: &Plan,
    f: &mut dyn FnMut(ArrayViewD<'a, A>, usize),
) {
    let len = x.len();
    if len <= plan.chunk || x.ndim() == 0 {
        f(x, start);
        return;
    }
    let rows = x.len_of(Axis(0));
    let per = len / rows;
    if per <= plan.chunk {
        for r in in_scan_order(rows, plan.chunk / per, plan.reverse) {
            f(
                x.clone().slice_axis_move(Axis(0), r.clone().into()),
                start + r.start * per,
            );
        }
    } else {
        for Range { start: r, .. } in in_scan_order(rows, 1, plan.reverse) {
            blocks(
                x.clone().index_axis_move(Axis(0), r),
                start + r * per,
                plan,
                f,
            );
        }
    }
}

/// The flat scan of one block (C order) into `out`, continued from `carry`.
fn flat_block<A, B>(
    block: ArrayViewD<'_, A>,
    mut out: ArrayViewMut1<'_, B>,
    carry: &mut Option<B>,
    buffer: &mut Vec<A>,
    plan: &Plan,
) where
    A: Clone + Into<B>,
    B: NanAware + Mul<Output = B>,
{
    let c = carry.clone().map(arr0);
    let c = c.as_ref().map(|c| c.view().into_dyn());
    match block.as_slice() {
        Some(xs) => scan_chunk(ArrayView::from(xs), &mut out, Axis(0), c, plan),
        None => {
            // Not contiguous in C order (a Fortran-order file): gathered
            // first, in C order.
            buffer.clear();
            buffer.extend(block.iter().cloned());
            scan_chunk(ArrayView::from(&buffer[..]), &mut out, Axis(0), c, plan);
        }
    }
    let last = if plan.reverse { 0 } else { out.len() - 1 };
    *carry = Some(out[last].clone());
}
