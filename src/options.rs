//! [`Cumprod`], the options of the extended cumulative products, and
//! [`CumprodOptions`], what the options-taking methods accept.

use core::fmt;
use core::ops::Mul;

use ndarray::{ArrayBase, ArrayRef, ArrayView1, ArrayViewD, Axis, Data, Dimension};

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

impl Output {
    /// The length of the result along the axis for an input of length `n`.
    #[track_caller]
    fn result_len(self, n: usize) -> usize {
        match self {
            Output::IncludeInitial => match n.checked_add(1) {
                Some(len) => len,
                None => panic!(
                    "include_initial makes an axis of {n} elements one longer, which overflows usize"
                ),
            },
            Output::Inclusive | Output::Exclusive => n,
        }
    }
}

/// What the options add to a plain scan beyond its direction, output and
/// start: the per-element operands and the NaN rule.
#[derive(Clone, Copy)]
pub(crate) struct Extras<'a> {
    /// Where it is false the element counts as one.
    pub(crate) mask: Option<&'a dyn Flags>,
    /// Where it is true a new product starts.
    pub(crate) starts: Option<&'a dyn Flags>,
    /// The group of every position along the axis.
    pub(crate) groups: Option<ArrayView1<'a, usize>>,
    /// NaN stays NaN in the result (the NaN-skipping methods only).
    pub(crate) keep_nan: bool,
}

/// An array of flags of any dimension, borrowed: a trait object, so that
/// options holding one stay `Copy`.
pub(crate) trait Flags {
    /// The flags as a view of dynamic dimension.
    fn flags(&self) -> ArrayViewD<'_, bool>;
}

impl<S: Data<Elem = bool>, E: Dimension> Flags for ArrayBase<S, E> {
    fn flags(&self) -> ArrayViewD<'_, bool> {
        self.view().into_dyn()
    }
}

impl fmt::Debug for Extras<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shape = |flags: Option<&dyn Flags>| flags.map(|m| m.flags().shape().to_vec());
        f.debug_struct("Extras")
            .field("mask", &shape(self.mask))
            .field("starts", &shape(self.starts))
            .field("groups", &self.groups.map(|g| g.len()))
            .field("keep_nan", &self.keep_nan)
            .finish()
    }
}

impl<'a> Extras<'a> {
    /// The same extras, borrowed for a shorter time.
    pub(crate) fn shorten<'b>(self) -> Extras<'b>
    where
        'a: 'b,
    {
        Extras {
            mask: self.mask,
            starts: self.starts,
            groups: self.groups,
            keep_nan: self.keep_nan,
        }
    }

    /// No extras: the scan of the plain kernels.
    pub(crate) const NONE: Extras<'static> = Extras {
        mask: None,
        starts: None,
        groups: None,
        keep_nan: false,
    };

    /// Whether any extra is set (the scan then runs through
    /// `kernels::general`).
    pub(crate) fn any(&self) -> bool {
        self.mask.is_some() || self.starts.is_some() || self.groups.is_some() || self.keep_nan
    }
}

use sealed::{Initial, NoInitial};

/// The element types a [`Cumprod`] can have: every type with `Clone` and
/// `Mul` (the element types of the scans), and [`AnyElement`], the type of
/// options that hold no value.
///
/// Nothing needs to implement it by hand, and nothing can: it is sealed. Code
/// that names `Cumprod<'a, T>` for a generic `T` asks for
/// `T: Clone + Mul<Output = T>`, which implies it.
pub trait CumprodElement: sealed::SealedElement {
    /// How options of this element type hold their start.
    #[doc(hidden)]
    type Start<'a>: Clone
    where
        Self: 'a;

    /// The start of options without an initial value or carry.
    #[doc(hidden)]
    fn identity<'a>() -> Self::Start<'a>
    where
        Self: 'a;

    /// The same start, borrowed for a shorter time.
    #[doc(hidden)]
    fn shorten<'a: 'b, 'b>(start: Self::Start<'a>) -> Self::Start<'b>
    where
        Self: 'a;
}

impl<A: Clone + Mul<Output = A>> CumprodElement for A {
    type Start<'a>
        = Initial<'a, A>
    where
        A: 'a;

    fn identity<'a>() -> Initial<'a, A>
    where
        A: 'a,
    {
        Initial::Identity
    }

    fn shorten<'a: 'b, 'b>(start: Initial<'a, A>) -> Initial<'b, A>
    where
        A: 'a,
    {
        match start {
            Initial::Identity => Initial::Identity,
            Initial::Value(value) => Initial::Value(value),
            Initial::Lanes(lanes) => Initial::Lanes(lanes),
        }
    }
}

impl CumprodElement for AnyElement {
    type Start<'a> = NoInitial;

    fn identity<'a>() -> NoInitial
    where
        Self: 'a,
    {
        NoInitial
    }

    fn shorten<'a: 'b, 'b>(start: NoInitial) -> NoInitial {
        start
    }
}

/// The element type of options that hold no value (no
/// [`initial`](Cumprod::initial) value and no [`carry`](Cumprod::carry)):
/// `Cumprod<'_, AnyElement>`, which is what [`Cumprod::along`] returns and what
/// `Cumprod` alone names, works with arrays of every element type.
///
/// It has no values: it only marks the options as untyped. (It implements
/// neither `Mul` nor any other arithmetic, which is how the options tell it
/// from a real element type.)
///
/// ```
/// use ndarray::{array, Axis};
/// use ndarray_cumprod::{Cumprod, CumprodExt};
///
/// // One options value, used with f64 and with i64 arrays.
/// let how: Cumprod = Cumprod::along(Axis(0)).reverse();
/// assert_eq!(array![1.5, 2.0].cumprod_with(how), array![3.0, 2.0]);
/// assert_eq!(array![3_i64, 4].cumprod_with(how), array![12, 4]); // `how` is Copy
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AnyElement {}

/// How to run an extended cumulative product: the axis, the direction, what the
/// result holds, and where each lane starts.
///
/// Built with [`Cumprod::along`] and the methods below, then handed, by value
/// or by reference, to [`cumprod_with`](crate::CumprodExt::cumprod_with) and
/// its forms (`_as`, `_into`, `_inplace`), their NaN-skipping twins
/// (`nancumprod_with*`) or the checked forms (`cumprod_checked*`). The options
/// combine freely: every combination of [`reverse`](Self::reverse),
/// [`exclusive`](Self::exclusive) or [`include_initial`](Self::include_initial),
/// [`initial`](Self::initial) or [`carry`](Self::carry), and
/// [`mask`](Self::mask), [`segments`](Self::segments) and
/// [`groups`](Self::groups) is valid, but for the few listed under
/// [Combinations that are refused](#combinations-that-are-refused).
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
/// | `.mask(&array![true, false, true])` | `[a, a, ac]` | NumPy's missing `where=` (numpy#8342) |
/// | `.segments(&array![false, true, false])` | `[a, b, bc]` | pandas `groupby(flags.cumsum()).cumprod()` |
/// | `.groups(&[0, 1, 0])` | `[a, b, ac]` | pandas `groupby(key).cumprod()`, Polars `cum_prod().over(key)` |
/// | `.keep_nan()` (NaN-skipping methods) | `[a, NaN, ac]` for `[a, NaN, c]` | pandas `cumprod(skipna=True)` |
///
/// Products keep the index order: forward scans compute `((s * a) * b) * c`, the
/// previous product on the left as NumPy does; reverse scans compute
/// `a * (b * (c * s))`, right to left, so that for a non-commutative type the
/// result is still the product of the elements in index order. Without an
/// initial value or carry, the first product of a lane is a copy of its
/// element, never a multiplication by one (which is not exact for complex
/// values with an infinite part). Nothing is ever reassociated, so
/// floating-point results are exact to the bit against the same loop written
/// by hand.
///
/// # Combinations that are refused
///
/// Each is reported as
/// [`CumprodError::UnsupportedOptions`](crate::CumprodError::UnsupportedOptions)
/// by the `_into` and checked methods, and as a panic with the same message
/// by the others:
///
/// - [`groups`](Self::groups) with [`carry`](Self::carry): a carry holds one
///   running product per lane, a grouped scan keeps one per group and lane.
///   Scan all the rows of a grouped table in one call (or give each chunk's
///   groups their starting products with [`initial`](Self::initial) when
///   there is one group).
/// - [`keep_nan`](Self::keep_nan) with the methods that do not look for NaN
///   (`cumprod_with*`, `cumprod_checked*`): use `nancumprod_with*`.
/// - [`include_initial`](Self::include_initial) in place
///   ([`CumprodError::IncludeInitialInPlace`](crate::CumprodError::IncludeInitialInPlace)):
///   the result is one element longer than the array.
///
/// # The element type
///
/// Options without an initial value or carry hold no element, and work with
/// arrays of every element type: their type is `Cumprod` (that is,
/// `Cumprod<'a, AnyElement>`, for any `'a`). [`initial`](Self::initial) and
/// [`carry`](Self::carry) give them the element type of their value,
/// `Cumprod<'a, A>`, which then works with arrays whose scan runs in `A`.
/// The refining methods take `&self` and return new options, so one value
/// can be refined several ways, and the methods that use the options take
/// them by value or by reference: no `.clone()` is needed. Untyped options
/// are also [`Copy`]; options with a carry hold a view of it and are only
/// [`Clone`].
///
/// ```
/// use ndarray::{array, Axis};
/// use ndarray_cumprod::{Cumprod, CumprodExt};
///
/// let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
/// let along = Cumprod::along(Axis(1));
///
/// assert_eq!(a.cumprod_with(along.reverse()), array![[6.0, 6.0, 3.0], [120.0, 30.0, 6.0]]);
/// assert_eq!(
///     a.cumprod_with(along.include_initial()),
///     array![[1.0, 1.0, 2.0, 6.0], [1.0, 4.0, 20.0, 120.0]]
/// );
/// assert_eq!(
///     a.cumprod_with(along.reverse().exclusive()),
///     array![[6.0, 3.0, 1.0], [30.0, 6.0, 1.0]]
/// );
/// let scaled = Cumprod::along(Axis(0)).initial(10.0);
/// assert_eq!(a.cumprod_with(&scaled), array![[10.0, 20.0, 30.0], [40.0, 100.0, 180.0]]);
/// ```
pub struct Cumprod<'a, A: CumprodElement + 'a = AnyElement> {
    axis: Axis,
    reverse: bool,
    output: Output,
    initial: A::Start<'a>,
    extras: Extras<'a>,
}

// By hand: derived impls would ask `Clone`, `Copy` and `Debug` of `A` rather
// than of what the options hold. Untyped options hold nothing and are `Copy`;
// those with a carry hold a view, which is not.
impl<'a, A: CumprodElement + 'a> Clone for Cumprod<'a, A> {
    fn clone(&self) -> Self {
        Cumprod {
            axis: self.axis,
            reverse: self.reverse,
            output: self.output,
            initial: self.initial.clone(),
            extras: self.extras.shorten(),
        }
    }
}

impl<'a, A: CumprodElement + 'a> Copy for Cumprod<'a, A> where A::Start<'a>: Copy {}

impl<'a, A: CumprodElement + 'a> fmt::Debug for Cumprod<'a, A>
where
    A::Start<'a>: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cumprod")
            .field("axis", &self.axis.index())
            .field("reverse", &self.reverse)
            .field("output", &self.output)
            .field("initial", &self.initial)
            .field("extras", &self.extras)
            .finish()
    }
}

impl<'a> Cumprod<'a, AnyElement> {
    /// A plain cumulative product along `axis` (NumPy's `cumprod(axis=k)`), to
    /// be refined with the other methods. It works with arrays of every
    /// element type until an [`initial`](Cumprod::initial) value or a
    /// [`carry`](Cumprod::carry) gives it one.
    ///
    /// The options borrow nothing, so their lifetime `'a` is whatever the
    /// code around them needs (`'static` at most): the same value can be one
    /// arm of a `match` whose other arms borrow a mask or a carry.
    ///
    /// For NumPy's `axis=None`, flatten first: `a.flatten()` gives the elements
    /// in logical order, then scan along `Axis(0)`.
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodExt};
    ///
    /// let a = array![[1, 2], [3, 4]];
    /// let flat = a.flatten().cumprod_with(Cumprod::along(Axis(0)).reverse());
    /// assert_eq!(flat, array![24, 24, 12, 4]);
    /// ```
    pub fn along(axis: Axis) -> Self {
        Cumprod {
            axis,
            reverse: false,
            output: Output::Inclusive,
            initial: NoInitial,
            extras: Extras::NONE.shorten(),
        }
    }
}

impl<'a> Cumprod<'a, AnyElement> {
    /// The same options, with the element type `A`: the type that options
    /// with an initial value or carry of type `A` have. Only needed to store
    /// options chosen at run time, with and without an initial value, in one
    /// variable; the methods take untyped options as they are.
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodExt};
    ///
    /// fn options(scale: Option<f64>) -> Cumprod<'static, f64> {
    ///     let along = Cumprod::along(Axis(0));
    ///     match scale {
    ///         Some(s) => along.initial(s),
    ///         None => along.typed(),
    ///     }
    /// }
    /// let a = array![2.0, 3.0];
    /// assert_eq!(a.cumprod_with(options(None)), array![2.0, 6.0]);
    /// assert_eq!(a.cumprod_with(options(Some(0.5))), array![1.0, 3.0]);
    /// ```
    pub fn typed<'b, A: CumprodElement + 'b>(&self) -> Cumprod<'b, A>
    where
        'a: 'b,
    {
        Cumprod {
            axis: self.axis,
            reverse: self.reverse,
            output: self.output,
            initial: A::identity(),
            extras: self.extras.shorten(),
        }
    }
}

impl<'a, A: CumprodElement + 'a> Cumprod<'a, A> {
    /// Scans from the last element to the first: `[a, b, c]` gives
    /// `[a * (b * c), b * c, c]`, computed right to left without copying the
    /// array reversed.
    #[must_use]
    pub fn reverse(&self) -> Self {
        let mut how = self.clone();
        how.reverse = true;
        how
    }

    /// Each position holds the product of the elements before it (after it, for
    /// a reverse scan), starting from the identity: `[a, b, c]` gives `[1, a, ab]`.
    /// The result keeps the input's shape.
    ///
    /// `include_initial` already starts with this result, so asking for both
    /// gives `include_initial`'s, in either order.
    #[must_use]
    pub fn exclusive(&self) -> Self {
        let mut how = self.clone();
        how.output = how.output.max(Output::Exclusive);
        how
    }

    /// Puts the identity (or the initial value) in front of the scan, so that
    /// the axis grows from `n` to `n + 1`: `[a, b, c]` gives `[1, a, ab, abc]`,
    /// and an empty axis gives `[1]`. For a reverse scan the identity goes last:
    /// `[abc, bc, c, 1]`. This is NumPy's `cumulative_prod(include_initial=True)`.
    ///
    /// The in-place methods cannot grow the array: they panic when this is set.
    #[must_use]
    pub fn include_initial(&self) -> Self {
        let mut how = self.clone();
        how.output = Output::IncludeInitial;
        how
    }

    /// Starts every lane from `value` instead of the identity: `[a, b, c]` gives
    /// `[s * a, (s * a) * b, ((s * a) * b) * c]` (for a reverse scan,
    /// `[a * (b * (c * s))), b * (c * s), c * s]`). With `exclusive` or
    /// `include_initial`, `value` takes the identity's place.
    ///
    /// The options then have `value`'s type, the type the scan runs in: the
    /// element type of the array, or the `B` of the converting forms
    /// ([`cumprod_with_as`](crate::CumprodExt::cumprod_with_as), an `out` of
    /// another type). Replaces an earlier `initial` or [`carry`](Self::carry).
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodExt};
    ///
    /// let a = array![2, 3, 4];
    /// assert_eq!(a.cumprod_with(Cumprod::along(Axis(0)).initial(10)), array![20, 60, 240]);
    /// ```
    #[must_use]
    pub fn initial<'b, B>(&self, value: B) -> Cumprod<'b, B>
    where
        'a: 'b,
        B: Clone + Mul<Output = B> + 'b,
    {
        Cumprod {
            axis: self.axis,
            reverse: self.reverse,
            output: self.output,
            initial: Initial::Value(value),
            extras: self.extras.shorten(),
        }
    }

    /// Starts each lane from its own value: `lanes` has the shape of the array
    /// without the scan axis (the shape of one slice along it). Any array or
    /// view is accepted, and so is an `&ArrayRef`.
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
    ///     .cumprod_with(Cumprod::along(Axis(0)).carry(&last_row));
    /// assert_eq!(second, whole.slice(s![2.., ..]));
    /// ```
    ///
    /// A carry of the wrong shape is reported when the options are used:
    /// [`CumprodError::OperandShapeMismatch`](crate::CumprodError::OperandShapeMismatch)
    /// from the `_into` and checked methods, a panic from the others.
    ///
    /// Replaces an earlier [`initial`](Self::initial) or `carry`; the options
    /// then have the carry's element type, as for `initial`.
    #[must_use]
    pub fn carry<'b, B, E>(&self, lanes: &'b ArrayRef<B, E>) -> Cumprod<'b, B>
    where
        'a: 'b,
        B: Clone + Mul<Output = B>,
        E: Dimension,
    {
        Cumprod {
            axis: self.axis,
            reverse: self.reverse,
            output: self.output,
            initial: Initial::Lanes(lanes.view().into_dyn()),
            extras: self.extras.shorten(),
        }
    }

    /// Counts an element as one wherever `mask` is `false`: the result there
    /// holds the running product so far (one, or the initial value, before the
    /// first counted element). This is the `where=` that NumPy's
    /// `multiply.accumulate` lacks (numpy#8342); NaN-skipping
    /// ([`nancumprod_with`](crate::CumprodExt::nancumprod_with)) is the same scan
    /// with `mask = !isnan`, and both can be combined.
    ///
    /// `mask` is any array or view of `bool` that broadcasts to the input's
    /// shape (ndarray's broadcasting rules: trailing axes match, axes of
    /// length one stretch), so one row of flags can serve every row.
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodExt};
    ///
    /// let a = array![[2.0, 3.0, 4.0], [5.0, 6.0, 7.0]];
    /// let counted = array![true, false, true]; // broadcast to both rows
    /// assert_eq!(
    ///     a.cumprod_with(Cumprod::along(Axis(1)).mask(&counted)),
    ///     array![[2.0, 2.0, 8.0], [5.0, 5.0, 35.0]]
    /// );
    /// ```
    ///
    /// A mask that does not broadcast is reported when the options are used:
    /// [`CumprodError::NotBroadcastable`](crate::CumprodError::NotBroadcastable)
    /// from the `_into` and checked methods, a panic from the others.
    #[must_use]
    pub fn mask<'b, S, E>(&self, mask: &'b ArrayBase<S, E>) -> Cumprod<'b, A>
    where
        'a: 'b,
        S: Data<Elem = bool> + 'b,
        E: Dimension + 'b,
    {
        let mut how = self.reborrow();
        how.extras.mask = Some(mask);
        how
    }

    /// Starts a new product wherever `starts` is `true`: each run of
    /// elements from one start to the next (a segment) has its own
    /// cumulative product, as a pandas user writes with
    /// `s.groupby(starts.cumsum()).cumprod()`. `starts` broadcasts to the
    /// input's shape, so every lane may reset at its own places.
    ///
    /// Segments are the same in both directions: a reverse scan multiplies
    /// each segment from its last element back to its first. With
    /// [`exclusive`](Self::exclusive) the first position of each segment holds
    /// the identity (or the initial value). An [`initial`](Self::initial)
    /// value starts every segment; a [`carry`](Self::carry) continues only
    /// the first segment of each lane (the one that began in an earlier
    /// chunk), so that chunked processing still gives the whole array's
    /// result bit for bit.
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodExt};
    ///
    /// let growth = array![1.5, 2.0, 3.0, 0.5, 4.0];
    /// let new_day = array![false, false, true, false, true];
    /// assert_eq!(
    ///     growth.cumprod_with(Cumprod::along(Axis(0)).segments(&new_day)),
    ///     array![1.5, 3.0, 3.0, 1.5, 4.0]
    /// );
    /// // Reset after every zero: the element after a zero starts a segment.
    /// let a = array![2.0, 0.0, 3.0, 5.0];
    /// let after_zero = array![false, false, true, false];
    /// assert_eq!(
    ///     a.cumprod_with(Cumprod::along(Axis(0)).segments(&after_zero)),
    ///     array![2.0, 0.0, 3.0, 15.0]
    /// );
    /// ```
    ///
    /// Flags that do not broadcast are reported as for [`mask`](Self::mask).
    #[must_use]
    pub fn segments<'b, S, E>(&self, starts: &'b ArrayBase<S, E>) -> Cumprod<'b, A>
    where
        'a: 'b,
        S: Data<Elem = bool> + 'b,
        E: Dimension + 'b,
    {
        let mut how = self.reborrow();
        how.extras.starts = Some(starts);
        how
    }

    /// A grouped scan, pandas' `df.groupby(key).cumprod()` and Polars'
    /// `cum_prod().over(key)`: `codes[i]` is the group of position `i` along
    /// the axis, and each group's product runs over the positions that carry
    /// its code, lane by lane (column by column of a table).
    ///
    /// `codes` is a `&[usize]`, a `&Vec<usize>` or a 1-D ndarray view or array
    /// of `usize`, one code per position along the axis. Dense codes
    /// `0..g`, as pandas' `factorize` gives them, are the fast case;
    /// [`factorize()`] turns keys of any `Hash + Eq` type into
    /// them. Any other codes work too (each distinct value is one group), at
    /// the cost of a sort.
    ///
    /// The other options apply per group: [`reverse`](Self::reverse) runs each
    /// group from its last position, [`exclusive`](Self::exclusive) gives each
    /// position the product of its group's earlier elements,
    /// [`initial`](Self::initial) starts every group, and
    /// [`segments`](Self::segments) restart the group of the flagged element.
    /// A [`carry`](Self::carry) is refused
    /// ([`CumprodError::UnsupportedOptions`](crate::CumprodError::UnsupportedOptions)):
    /// it holds one product per lane, and a grouped scan needs one per group
    /// and lane.
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodExt};
    ///
    /// // A long table: one row per (asset, period), two columns.
    /// let growth = array![[1.1, 2.0], [1.5, 3.0], [0.9, 0.5], [2.0, 2.0]];
    /// let asset = [0, 1, 0, 1];
    /// assert_eq!(
    ///     growth.cumprod_with(Cumprod::along(Axis(0)).groups(&asset)),
    ///     array![[1.1, 2.0], [1.5, 3.0], [1.1 * 0.9, 1.0], [3.0, 6.0]]
    /// );
    /// ```
    ///
    /// A number of codes other than the axis length is reported as
    /// [`CumprodError::OperandShapeMismatch`](crate::CumprodError::OperandShapeMismatch)
    /// (a panic from the methods without a `Result`).
    #[cfg_attr(feature = "std", doc = "", doc = "[`factorize()`]: crate::factorize()")]
    #[cfg_attr(
        not(feature = "std"),
        doc = "",
        doc = "[`factorize()`]: https://docs.rs/ndarray-cumprod/latest/ndarray_cumprod/fn.factorize.html"
    )]
    #[must_use]
    pub fn groups<'b>(&self, codes: impl Into<ArrayView1<'b, usize>>) -> Cumprod<'b, A>
    where
        'a: 'b,
    {
        let mut how = self.reborrow();
        how.extras.groups = Some(codes.into());
        how
    }

    /// pandas' `skipna=True`: with the NaN-skipping methods
    /// ([`nancumprod_with`](crate::CumprodExt::nancumprod_with) and its
    /// forms), a NaN element stays NaN in the result, and counts as one for
    /// the products after it. Without it those methods follow NumPy's
    /// `nancumprod`, where the result holds the running product at a NaN.
    ///
    /// The other methods refuse it
    /// ([`CumprodError::UnsupportedOptions`](crate::CumprodError::UnsupportedOptions)):
    /// they do not look for NaN.
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodExt};
    ///
    /// let a = array![2.0, f64::NAN, 3.0];
    /// let along = Cumprod::along(Axis(0));
    /// assert_eq!(a.nancumprod_with(along), array![2.0, 2.0, 6.0]); // NumPy
    /// let pandas = a.nancumprod_with(along.keep_nan());
    /// assert!(pandas[1].is_nan());
    /// assert_eq!((pandas[0], pandas[2]), (2.0, 6.0));
    /// ```
    #[must_use]
    pub fn keep_nan(&self) -> Self {
        let mut how = self.clone();
        how.extras.keep_nan = true;
        how
    }

    /// The same options, borrowing what they borrow (a mask, segment
    /// starts, group codes, a carry) for the shorter lifetime `'b` only.
    ///
    /// Options do not shorten their lifetime on their own (their type
    /// depends on `'a` through the element type), so options that live
    /// longer than others, such as a `Cumprod<'static, _>` returned by a
    /// function, need this to be stored in one variable with them:
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodExt};
    ///
    /// fn scaled(by: f64) -> Cumprod<'static, f64> {
    ///     Cumprod::along(Axis(0)).initial(by)
    /// }
    ///
    /// let a = array![2.0, 3.0, 4.0];
    /// // The last product of an earlier chunk, carried into this one.
    /// let previous = ndarray::arr0(0.5);
    /// let carry = Cumprod::along(Axis(0)).carry(&previous);
    /// // Without `reborrow`: "`previous` does not live long enough".
    /// let results: Vec<_> = [scaled(10.0).reborrow(), carry]
    ///     .iter()
    ///     .map(|how| a.cumprod_with(how))
    ///     .collect();
    /// assert_eq!(results, [array![20.0, 60.0, 240.0], array![1.0, 3.0, 12.0]]);
    /// ```
    #[must_use]
    pub fn reborrow<'b>(&self) -> Cumprod<'b, A>
    where
        'a: 'b,
    {
        Cumprod {
            axis: self.axis,
            reverse: self.reverse,
            output: self.output,
            initial: A::shorten(self.initial.clone()),
            extras: self.extras.shorten(),
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
    /// assert_eq!(Cumprod::along(Axis(0)).result_len(3), 3);
    /// assert_eq!(Cumprod::along(Axis(0)).include_initial().result_len(3), 4);
    /// ```
    ///
    /// **Panics** if the length overflows `usize` (`n == usize::MAX` with
    /// `include_initial`), in every build. No array has such an axis: ndarray
    /// holds at most `isize::MAX` elements.
    #[track_caller]
    pub fn result_len(&self, n: usize) -> usize {
        self.output.result_len(n)
    }
}

/// What the options-taking methods of [`CumprodExt`](crate::CumprodExt) accept
/// for a scan that runs in the element type `B`: a [`Cumprod`], by value or by
/// reference, untyped (no initial value or carry) or with values of type `B`.
///
/// Write `impl CumprodOptions<B>` to pass options through a function of your
/// own. The trait is sealed: only this crate implements it.
///
/// ```
/// use ndarray::{array, Array1, Axis};
/// use ndarray_cumprod::{Cumprod, CumprodExt, CumprodOptions};
///
/// fn both_ways(a: &Array1<f64>, how: impl CumprodOptions<f64>) -> (Array1<f64>, Array1<f64>) {
///     (a.cumprod_with(&how), a.nancumprod_with(&how))
/// }
/// let (plain, skipping) = both_ways(&array![2.0, f64::NAN], Cumprod::along(Axis(0)));
/// assert!(plain[1].is_nan());
/// assert_eq!(skipping, array![2.0, 2.0]);
/// ```
pub trait CumprodOptions<B>: sealed::Sealed {
    /// The options, borrowed, as the kernels read them.
    #[doc(hidden)]
    fn spec(&self) -> sealed::Spec<'_, B>;
}

impl<B> CumprodOptions<B> for Cumprod<'_, AnyElement> {
    fn spec(&self) -> sealed::Spec<'_, B> {
        sealed::Spec {
            axis: self.axis,
            reverse: self.reverse,
            output: self.output,
            initial: sealed::Start::Identity,
            extras: self.extras.shorten(),
        }
    }
}

impl<B: Clone + Mul<Output = B>> CumprodOptions<B> for Cumprod<'_, B> {
    fn spec(&self) -> sealed::Spec<'_, B> {
        sealed::Spec {
            axis: self.axis,
            reverse: self.reverse,
            output: self.output,
            initial: match &self.initial {
                Initial::Identity => sealed::Start::Identity,
                Initial::Value(value) => sealed::Start::Value(value),
                Initial::Lanes(lanes) => sealed::Start::Lanes(lanes.view()),
            },
            extras: self.extras.shorten(),
        }
    }
}

impl<B, T: CumprodOptions<B> + ?Sized> CumprodOptions<B> for &T {
    fn spec(&self) -> sealed::Spec<'_, B> {
        (**self).spec()
    }
}

pub(crate) mod sealed {
    use core::ops::Mul;

    use super::{AnyElement, Cumprod, Extras, Output};
    use ndarray::{ArrayViewD, Axis};

    /// Keeps [`CumprodOptions`](super::CumprodOptions) implementable only in
    /// this crate.
    pub trait Sealed {}

    impl Sealed for Cumprod<'_, AnyElement> {}
    impl<B: Clone + Mul<Output = B>> Sealed for Cumprod<'_, B> {}
    impl<T: Sealed + ?Sized> Sealed for &T {}

    /// Keeps [`CumprodElement`](super::CumprodElement) implemented only here.
    pub trait SealedElement {}

    impl<A: Clone + Mul<Output = A>> SealedElement for A {}
    impl SealedElement for AnyElement {}

    /// The start of typed options.
    #[derive(Clone, Debug)]
    pub enum Initial<'a, A> {
        /// The identity: nothing to multiply by.
        Identity,
        /// The same value for every lane.
        Value(A),
        /// One value per lane, in the shape of the array without the axis.
        Lanes(ArrayViewD<'a, A>),
    }

    /// The start of untyped options: always the identity.
    #[derive(Clone, Copy, Debug)]
    pub struct NoInitial;

    /// The options as the kernels read them: what [`Cumprod`] holds, with its
    /// values borrowed and of the scan's element type `B`.
    #[derive(Debug)]
    pub struct Spec<'s, B> {
        pub(crate) axis: Axis,
        pub(crate) reverse: bool,
        pub(crate) output: Output,
        pub(crate) initial: Start<'s, B>,
        pub(crate) extras: Extras<'s>,
    }

    /// Where every lane starts.
    #[derive(Debug)]
    pub enum Start<'s, B> {
        /// The identity: the first product of a lane is a copy of its element.
        Identity,
        /// The same value for every lane.
        Value(&'s B),
        /// One value per lane, in the shape of the array without the axis.
        Lanes(ArrayViewD<'s, B>),
    }

    impl<B> Spec<'_, B> {
        /// The length of the result along the axis for an input of length `n`.
        pub(crate) fn result_len(&self, n: usize) -> usize {
            self.output.result_len(n)
        }
    }
}
