//! Decoding and verifying untrusted bytes: a signed transaction, its body, a payment code.
//! Nothing may panic; whatever decodes must be canonical.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prost::Message;
use shanzhi::ledger::{State, Transaction, decode_canonical};
use shanzhi::pb::points as pb;
use shanzhi::writer::KeyDirectory;

fuzz_target!(|data: &[u8]| {
    if let Ok(transaction) = Transaction::parse(data) {
        let _ = transaction.operation.kind();
    }
    if let Ok(body) = decode_canonical::<pb::TransactionBody>("body", data) {
        assert_eq!(
            body.encode_to_vec(),
            data,
            "canonical bodies re-encode to themselves"
        );
    }
    let _ = decode_canonical::<pb::SpendAuthorization>("payment code", data);
    if let Ok(signed) = pb::SignedTransaction::decode(data) {
        let directory = KeyDirectory::new(shanzhi::ledger::LedgerId([1; 16]), &State::new());
        let _ = directory.admit(signed.clone());
        let mut state = State::new();
        let _ = state.verify_and_apply(shanzhi::ledger::UnixMs(1), &signed);
    }
});
