//! Quantities that say what they hold: points, log positions and commit times.
//!
//! Each wraps a `u64` so that a number of points cannot be passed where a log position or a
//! time is expected. Arithmetic on points is checked: the state machine refuses an overflow,
//! it never wraps.

use std::fmt;

/// A number of points (积分), never negative.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Points(pub u64);

impl Points {
    /// No points.
    pub const ZERO: Points = Points(0);

    /// The number.
    pub fn get(self) -> u64 {
        self.0
    }

    /// `self + other`, or `None` past `u64::MAX`.
    pub fn checked_add(self, other: Points) -> Option<Points> {
        self.0.checked_add(other.0).map(Points)
    }

    /// `self - other`, or `None` below zero.
    pub fn checked_sub(self, other: Points) -> Option<Points> {
        self.0.checked_sub(other.0).map(Points)
    }

    /// The smaller of the two.
    pub fn min(self, other: Points) -> Points {
        Points(self.0.min(other.0))
    }

    /// As a signed wide number, for sums and scores.
    pub fn wide(self) -> i128 {
        i128::from(self.0)
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} points", self.0)
    }
}

/// A position in the log: the genesis entry is 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sequence(pub u64);

impl Sequence {
    /// The number.
    pub fn get(self) -> u64 {
        self.0
    }

    /// As an index into the entries (positions beyond `usize` index nothing).
    pub fn index(self) -> usize {
        usize::try_from(self.0).unwrap_or(usize::MAX)
    }
}

impl fmt::Display for Sequence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A time: milliseconds since the Unix epoch (UTC).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixMs(pub u64);

impl UnixMs {
    /// The number.
    pub fn get(self) -> u64 {
        self.0
    }

    /// How long after `earlier` this is, in ms (0 if it is not after it).
    pub fn since(self, earlier: UnixMs) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for UnixMs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ms", self.0)
    }
}
