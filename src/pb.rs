//! Wire types generated from `proto/` (prost messages, tonic services). Nothing else lives here.
#![allow(clippy::all, clippy::pedantic, missing_docs)]

/// `shanzhi.points.v1`: signed transactions, the log entry format and the points services.
pub mod points {
    tonic::include_proto!("shanzhi.points.v1");
}

/// The encoded `FileDescriptorSet` of every shanzhi proto, served by gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/shanzhi_descriptor.bin"));
