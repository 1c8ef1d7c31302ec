//! [`Cumprod`], the options of the extended cumulative products.

use ndarray::{ArrayBase, ArrayViewD, Axis, Data, Dimension};

/// Which values along the axis the result holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Output {
    /// `[a, ab, abc]`: NumPy's `cumprod`.
    Inclusive,
    /// `[1, a, ab]`: TensorFlow's `exclusive=True`.
    Exclusive,
    /// `[1, a, ab, abc]`: NumPy's `cumulative_prod(include_initial=True)`.
    IncludeInitial,
}

/// The value every lane starts from.
#[derive(Clone, Debug)]
pub(crate) enum Initial<'a, A> {
    /// The identity: nothing to multiply by.
    Identity,
    /// The same value for every lane.
    Value(A),
    /// One value per lane, in the shape of the array without the axis.
    Lanes(ArrayViewD<'a, A>),
}

/// How to run an extended cumulative product: the axis, the direction, what the
/// result holds, and where each lane starts.
///
/// Built with [`Cumprod::along`] and the methods below, then handed to
/// [`cumprod_with`](crate::CumprodExt::cumprod_with),
/// [`cumprod_with_into`](crate::CumprodExt::cumprod_with_into),
/// [`cumprod_with_inplace`](crate::CumprodExt::cumprod_with_inplace), their
/// NaN-skipping forms (`nancumprod_with*`) or the checked forms
/// (`cumprod_checked*`). The options combine freely: every combination of
/// [`reverse`](Self::reverse), [`exclusive`](Self::exclusive) or
/// [`include_initial`](Self::include_initial), and [`initial`](Self::initial) or
/// [`carry`](Self::carry) is valid.
///
/// | option | `[a, b, c]` gives | elsewhere |
/// |---|---|---|
/// | (none) | `[a, ab, abc]` | NumPy `cumprod` |
/// | `.include_initial()` | `[1, a, ab, abc]` | NumPy 2.1 / Array API `cumulative_prod(include_initial=True)` |
/// | `.exclusive()` | `[1, a, ab]` | TensorFlow `cumprod(exclusive=True)` |
/// | `.reverse()` | `[abc, bc, c]` | JAX `lax.cumprod(reverse=True)`, TensorFlow, Polars |
/// | `.reverse().exclusive()` | `[bc, c, 1]` | TensorFlow `exclusive=True, reverse=True` |
/// | `.reverse().include_initial()` | `[abc, bc, c, 1]` | |
/// | `.initial(s)` | `[sa, sab, sabc]` | Polars `cum_prod_with_init`, Julia `accumulate(*, x; init=s)` |
/// | `.carry(&lanes)` | per lane: `[s a, s ab, s abc]` | chunked processing |
///
/// Products keep the index order: forward scans compute `((s * a) * b) * c`, the
/// previous product on the left as NumPy does; reverse scans compute
/// `a * (b * (c * s))`, right to left, so that for a non-commutative type the
/// result is still the product of the elements in index order. Neither ever
/// reassociates, so floating-point results are exact to the bit against the same
/// loop written by hand.
///
/// ```
/// use ndarray::{array, Axis};
/// use ndarray_cumprod::{Cumprod, CumprodExt};
///
/// let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
///
/// let rev = a.cumprod_with(&Cumprod::along(Axis(1)).reverse());
/// assert_eq!(rev, array![[6.0, 6.0, 3.0], [120.0, 30.0, 6.0]]);
///
/// let full = a.cumprod_with(&Cumprod::along(Axis(1)).include_initial());
/// assert_eq!(full, array![[1.0, 1.0, 2.0, 6.0], [1.0, 4.0, 20.0, 120.0]]);
///
/// let excl = a.cumprod_with(&Cumprod::along(Axis(1)).reverse().exclusive());
/// assert_eq!(excl, array![[6.0, 3.0, 1.0], [30.0, 6.0, 1.0]]);
///
/// let scaled = a.cumprod_with(&Cumprod::along(Axis(0)).initial(10.0));
/// assert_eq!(scaled, array![[10.0, 20.0, 30.0], [40.0, 100.0, 180.0]]);
/// ```
#[derive(Clone, Debug)]
pub struct Cumprod<'a, A> {
    pub(crate) axis: Axis,
    pub(crate) reverse: bool,
    pub(crate) output: Output,
    pub(crate) initial: Initial<'a, A>,
}

impl<'a, A> Cumprod<'a, A> {
    /// A plain cumulative product along `axis` (NumPy's `cumprod(axis=k)`), to
    /// be refined with the other methods.
    ///
    /// For NumPy's `axis=None`, flatten first: `a.flatten()` gives the elements
    /// in logical order, then scan along `Axis(0)`.
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodExt};
    ///
    /// let a = array![[1, 2], [3, 4]];
    /// let flat = a.flatten().cumprod_with(&Cumprod::along(Axis(0)).reverse());
    /// assert_eq!(flat, array![24, 24, 12, 4]);
    /// ```
    pub fn along(axis: Axis) -> Self {
        Cumprod {
            axis,
            reverse: false,
            output: Output::Inclusive,
            initial: Initial::Identity,
        }
    }

    /// Scans from the last element to the first: `[a, b, c]` gives
    /// `[a * (b * c), b * c, c]`, computed right to left without copying the
    /// array reversed.
    #[must_use]
    pub fn reverse(mut self) -> Self {
        self.reverse = true;
        self
    }

    /// Each position holds the product of the elements before it (after it, for
    /// a reverse scan), starting from the identity: `[a, b, c]` gives `[1, a, ab]`.
    /// The result keeps the input's shape.
    ///
    /// `include_initial` already starts with this result, so asking for both
    /// gives `include_initial`'s, in either order.
    #[must_use]
    pub fn exclusive(mut self) -> Self {
        self.output = self.output.max(Output::Exclusive);
        self
    }

    /// Puts the identity (or the initial value) in front of the scan, so that
    /// the axis grows from `n` to `n + 1`: `[a, b, c]` gives `[1, a, ab, abc]`,
    /// and an empty axis gives `[1]`. For a reverse scan the identity goes last:
    /// `[abc, bc, c, 1]`. This is NumPy's `cumulative_prod(include_initial=True)`.
    ///
    /// The in-place methods cannot grow the array: they panic when this is set.
    #[must_use]
    pub fn include_initial(mut self) -> Self {
        self.output = Output::IncludeInitial;
        self
    }

    /// Starts every lane from `value` instead of the identity: `[a, b, c]` gives
    /// `[s * a, (s * a) * b, ((s * a) * b) * c]` (for a reverse scan,
    /// `[a * (b * (c * s)), b * (c * s), c * s]`). With `exclusive` or
    /// `include_initial`, `value` takes the identity's place.
    ///
    /// Replaces an earlier `initial` or [`carry`](Self::carry).
    #[must_use]
    pub fn initial(mut self, value: A) -> Self {
        self.initial = Initial::Value(value);
        self
    }

    /// Starts each lane from its own value: `lanes` has the shape of the array
    /// without the scan axis (the shape of one slice along it).
    ///
    /// This is what processing data in chunks needs: pass the last slice of one
    /// chunk's result (the first slice, for a reverse scan over chunks taken from
    /// the end) as the carry of the next chunk, and the chunks' results are the
    /// whole array's result, bit for bit.
    ///
    /// ```
    /// use ndarray::{array, s, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodExt};
    ///
    /// let a = array![[1.5, 2.0], [3.0, 0.5], [2.5, 4.0], [0.1, 3.0]];
    /// let whole = a.cumprod_axis(Axis(0));
    ///
    /// let first = a.slice(s![..2, ..]).cumprod_axis(Axis(0));
    /// let last_row = first.row(1);
    /// let second = a
    ///     .slice(s![2.., ..])
    ///     .cumprod_with(&Cumprod::along(Axis(0)).carry(&last_row));
    /// assert_eq!(second, whole.slice(s![2.., ..]));
    /// ```
    ///
    /// A carry of the wrong shape is reported when the options are used:
    /// [`CumprodError::OperandShapeMismatch`](crate::CumprodError::OperandShapeMismatch)
    /// from the `_into` and checked methods, a panic from the others.
    ///
    /// Replaces an earlier [`initial`](Self::initial) or `carry`.
    #[must_use]
    pub fn carry<'b, S, E>(self, lanes: &'b ArrayBase<S, E>) -> Cumprod<'b, A>
    where
        S: Data<Elem = A>,
        E: Dimension,
    {
        Cumprod {
            axis: self.axis,
            reverse: self.reverse,
            output: self.output,
            initial: Initial::Lanes(lanes.view().into_dyn()),
        }
    }

    /// The scan axis.
    pub fn axis(&self) -> Axis {
        self.axis
    }

    /// The length of the result along the axis, for an input of length `n`
    /// along it: `n + 1` with [`include_initial`](Self::include_initial), `n`
    /// otherwise.
    ///
    /// ```
    /// use ndarray::Axis;
    /// use ndarray_cumprod::Cumprod;
    ///
    /// assert_eq!(Cumprod::<f64>::along(Axis(0)).result_len(3), 3);
    /// assert_eq!(Cumprod::<f64>::along(Axis(0)).include_initial().result_len(3), 4);
    /// ```
    pub fn result_len(&self, n: usize) -> usize {
        match self.output {
            Output::IncludeInitial => n + 1,
            Output::Inclusive | Output::Exclusive => n,
        }
    }
}
