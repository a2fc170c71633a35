//! Wire types generated from `proto/` (prost messages, tonic services). Nothing else lives here.
#![allow(clippy::all, clippy::pedantic, missing_docs)]

/// The generated modules, nested as the proto packages are (cross-package references rely on
/// it).
pub mod shanzhi {
    pub mod points {
        pub mod v1 {
            tonic::include_proto!("shanzhi.points.v1");
        }
    }
    pub mod audit {
        pub mod v1 {
            tonic::include_proto!("shanzhi.audit.v1");
        }
    }
    pub mod registry {
        pub mod v1 {
            tonic::include_proto!("shanzhi.registry.v1");
        }
    }
    pub mod governance {
        pub mod v1 {
            tonic::include_proto!("shanzhi.governance.v1");
        }
    }
    pub mod shops {
        pub mod v1 {
            tonic::include_proto!("shanzhi.shops.v1");
        }
    }
    pub mod directory {
        pub mod v1 {
            tonic::include_proto!("shanzhi.directory.v1");
        }
    }
    pub mod casework {
        pub mod v1 {
            tonic::include_proto!("shanzhi.casework.v1");
        }
    }
    pub mod benefits {
        pub mod v1 {
            tonic::include_proto!("shanzhi.benefits.v1");
        }
    }
    pub mod assistance {
        pub mod v1 {
            tonic::include_proto!("shanzhi.assistance.v1");
        }
    }
    pub mod children {
        pub mod v1 {
            tonic::include_proto!("shanzhi.children.v1");
        }
    }
    pub mod projects {
        pub mod v1 {
            tonic::include_proto!("shanzhi.projects.v1");
        }
    }
    pub mod places {
        pub mod v1 {
            tonic::include_proto!("shanzhi.places.v1");
        }
    }
    pub mod organizations {
        pub mod v1 {
            tonic::include_proto!("shanzhi.organizations.v1");
        }
    }
    pub mod funeral {
        pub mod v1 {
            tonic::include_proto!("shanzhi.funeral.v1");
        }
    }
    pub mod elderly {
        pub mod v1 {
            tonic::include_proto!("shanzhi.elderly.v1");
        }
    }
    pub mod rescue {
        pub mod v1 {
            tonic::include_proto!("shanzhi.rescue.v1");
        }
    }
}

/// `shanzhi.points.v1`: signed transactions, the log entry format and the points services.
pub use shanzhi::points::v1 as points;

/// `shanzhi.audit.v1`: checkpoints, proofs, receipts and snapshots for auditors.
pub use shanzhi::audit::v1 as audit;

/// `shanzhi.registry.v1`: the shared registry (administrative areas) and its service.
pub use shanzhi::registry::v1 as registry;

/// `shanzhi.governance.v1`: rule catalogues, village policies and the governance service.
pub use shanzhi::governance::v1 as governance;

/// The encoded `FileDescriptorSet` of every shanzhi proto, served by gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/shanzhi_descriptor.bin"));

/// `shanzhi.directory.v1`: the directory of personal data (display names) outside the log.
pub use shanzhi::directory::v1 as directory;

/// `shanzhi.casework.v1`: the bureau programs' cases.
pub use shanzhi::casework::v1 as casework;

/// `shanzhi.benefits.v1`: the bureau programs' schemes, enrollments, payments and units.
pub use shanzhi::benefits::v1 as benefits;

/// `shanzhi.assistance.v1`: social assistance's commitments, alerts and care agreements.
pub use shanzhi::assistance::v1 as assistance;

/// `shanzhi.children.v1`: the children's program: categories, visits, concern reports.
pub use shanzhi::children::v1 as children;
/// `shanzhi.elderly.v1`: elderly care: institutions, canteens, adaptations, insurance.
pub use shanzhi::elderly::v1 as elderly;
/// `shanzhi.funeral.v1`: funeral: death cases, bookings, cemeteries and plots, subsidies.
pub use shanzhi::funeral::v1 as funeral;
/// `shanzhi.organizations.v1`: social organizations: reports, lists, enforcement, contests.
pub use shanzhi::organizations::v1 as organizations;
/// `shanzhi.places.v1`: place names: naming applications, addresses, boundary inspections.
pub use shanzhi::places::v1 as places;
/// `shanzhi.projects.v1`: capital projects: plans, progress, corrections, milestones.
pub use shanzhi::projects::v1 as projects;
/// `shanzhi.rescue.v1`: rescue: encounters, campaigns, admissions, rehabilitation.
pub use shanzhi::rescue::v1 as rescue;

/// `shanzhi.shops.v1`: shops' terminals (activation codes, activation, status).
pub use shanzhi::shops::v1 as shops;
