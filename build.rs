//! Compiles `proto/` with protox (a pure-Rust protobuf compiler: no system `protoc`) and
//! generates prost messages and tonic services. The encoded descriptor set is kept for gRPC
//! server reflection.

use prost::Message;
use std::path::PathBuf;

const PROTOS: &[&str] = &[
    "shanzhi/registry/v1/log.proto",
    "shanzhi/registry/v1/registry.proto",
    "shanzhi/governance/v1/log.proto",
    "shanzhi/governance/v1/governance.proto",
    "shanzhi/shops/v1/log.proto",
    "shanzhi/shops/v1/shops.proto",
    "shanzhi/casework/v1/log.proto",
    "shanzhi/casework/v1/casework.proto",
    "shanzhi/benefits/v1/log.proto",
    "shanzhi/benefits/v1/benefits.proto",
    "shanzhi/assistance/v1/log.proto",
    "shanzhi/assistance/v1/assistance.proto",
    "shanzhi/children/v1/log.proto",
    "shanzhi/children/v1/children.proto",
    "shanzhi/projects/v1/log.proto",
    "shanzhi/projects/v1/projects.proto",
    "shanzhi/places/v1/log.proto",
    "shanzhi/places/v1/places.proto",
    "shanzhi/organizations/v1/log.proto",
    "shanzhi/organizations/v1/organizations.proto",
    "shanzhi/funeral/v1/log.proto",
    "shanzhi/funeral/v1/funeral.proto",
    "shanzhi/elderly/v1/log.proto",
    "shanzhi/elderly/v1/elderly.proto",
    "shanzhi/rescue/v1/log.proto",
    "shanzhi/rescue/v1/rescue.proto",
    "shanzhi/points/v1/log.proto",
    "shanzhi/points/v1/points.proto",
    "shanzhi/audit/v1/audit.proto",
    "shanzhi/directory/v1/directory.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    let descriptors = protox::compile(PROTOS, ["proto"])?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(
        out_dir.join("shanzhi_descriptor.bin"),
        descriptors.encode_to_vec(),
    )?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(descriptors)?;
    Ok(())
}
