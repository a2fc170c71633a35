//! A child's category: its name on the wire, the cadence of the child director's visits and
//! the age it ends before (the bureau's table constants).

/// A child's category, with the days between the child director's visits (the bureau's
/// table constants) and the age the category ends before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChildCategory {
    /// 孤儿: both parents dead or missing.
    Orphan,
    /// 事实无人抚养儿童: parents alive but unable to care for the child.
    DeFactoUnsupported,
    /// 困境儿童: in difficulty (family poverty, disability, illness).
    InDifficulty,
    /// 农村留守儿童: left behind by parents away working, under 16.
    LeftBehind,
}

impl ChildCategory {
    /// Every category.
    pub const ALL: [ChildCategory; 4] = [
        ChildCategory::Orphan,
        ChildCategory::DeFactoUnsupported,
        ChildCategory::InDifficulty,
        ChildCategory::LeftBehind,
    ];

    /// Its name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            ChildCategory::Orphan => "orphan",
            ChildCategory::DeFactoUnsupported => "de-facto-unsupported",
            ChildCategory::InDifficulty => "in-difficulty",
            ChildCategory::LeftBehind => "left-behind",
        }
    }

    /// The category named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Days between visits: monthly for children without parental care or in difficulty,
    /// quarterly for orphans in care and left-behind children.
    pub fn visit_every_days(self) -> u32 {
        match self {
            ChildCategory::DeFactoUnsupported | ChildCategory::InDifficulty => 30,
            ChildCategory::Orphan | ChildCategory::LeftBehind => 90,
        }
    }

    /// The age a child must be under to be confirmed in it.
    pub fn under_age(self) -> u32 {
        match self {
            ChildCategory::LeftBehind => 16,
            _ => 18,
        }
    }
}
