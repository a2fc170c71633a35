//! A payment code (付款码) as a resident's phone shows it: one URL-safe string that fits a
//! QR code, `SZP1.` followed by the unpadded base64url (RFC 4648 §5) of the encoded
//! `SignedSpendAuthorization` (docs/clients.md gives the byte layout).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use prost::Message;

use crate::pb::points as pb;

/// What every payment code's text starts with (the format's version is the `1`).
pub const PAYMENT_CODE_PREFIX: &str = "SZP1.";

/// The text form of a payment code.
pub fn payment_code_text(code: &pb::SignedSpendAuthorization) -> String {
    format!(
        "{PAYMENT_CODE_PREFIX}{}",
        URL_SAFE_NO_PAD.encode(code.encode_to_vec())
    )
}

/// Parses the text form (surrounding spaces ignored).
pub fn parse_payment_code(text: &str) -> Result<pb::SignedSpendAuthorization, String> {
    let text = text.trim();
    let payload = text.strip_prefix(PAYMENT_CODE_PREFIX).ok_or_else(|| {
        format!(
            "expected a payment code starting with {PAYMENT_CODE_PREFIX}, found {:?}",
            text.chars().take(12).collect::<String>()
        )
    })?;
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|e| format!("the payment code is not base64url: {e}"))?;
    pb::SignedSpendAuthorization::decode(bytes.as_slice())
        .map_err(|e| format!("the payment code does not decode: {e}"))
}

/// The text form as a QR code drawn with Unicode half blocks, for a terminal.
pub fn payment_code_qr(text: &str) -> Result<String, String> {
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(|e| e.to_string())?;
    Ok(code
        .render::<qrcode::render::unicode::Dense1x2>()
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Signer;
    use crate::ledger::LedgerId;

    #[test]
    fn a_payment_code_reads_back_from_its_text_and_fits_a_small_qr_code() {
        let resident = Signer::generate();
        let code = resident.sign_spend_authorization(
            &LedgerId([1; 16]),
            &pb::SpendAuthorization {
                household_id: "hh-001".into(),
                max_points: 20,
                nonce: vec![7; 16],
                not_after_unix_ms: 1_790_000_000_000,
                shop_id: "shop-1".into(),
            },
        );
        let text = payment_code_text(&code);
        assert!(text.starts_with("SZP1."));
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
            "{text}"
        );
        assert_eq!(parse_payment_code(&format!(" {text}\n")).unwrap(), code);
        assert!(parse_payment_code("0a1b2c").is_err());
        assert!(parse_payment_code("SZP1.!!").is_err());
        let qr = payment_code_qr(&text).unwrap();
        // Half blocks: two modules per character row; a version 10 code or smaller.
        assert!(
            qr.lines().count() <= (57 + 8) / 2 + 1,
            "{}",
            qr.lines().count()
        );
    }
}
