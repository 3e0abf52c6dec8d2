//! Bytes → text.
//!
//! Owns the size limit and character decoding: UTF-8 (byte-order mark
//! dropped), UTF-16 in either byte order (by mark or by the `<?` layout),
//! and, as a repair, Windows-1252 for bytes that are not UTF-8. What the XML
//! declaration *claims* is checked later by `prolog`; the bytes decide.

use crate::error::AdfError;
use crate::options::ParseOptions;
use crate::warning::{Warning, WarningCode};

/// How the bytes were actually decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf8,
    Utf16,
    Windows1252,
}

/// Decoded text plus what decoding had to do.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub(crate) text: String,
    pub(crate) encoding: Encoding,
    pub(crate) warnings: Vec<Warning>,
}

/// Checks the size limit and decodes `bytes` to text.
pub(crate) fn decode_bytes(bytes: &[u8], opts: &ParseOptions) -> Result<Decoded, AdfError> {
    if bytes.len() > opts.max_bytes {
        return Err(AdfError::TooLarge {
            size: bytes.len(),
            limit: opts.max_bytes,
        });
    }
    let le = u16::from_le_bytes as fn([u8; 2]) -> u16;
    let be = u16::from_be_bytes as fn([u8; 2]) -> u16;
    let (encoding, text) = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        (Encoding::Utf8, utf8(rest))
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        (Encoding::Utf16, Some(decode_utf16(rest, le)?))
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        (Encoding::Utf16, Some(decode_utf16(rest, be)?))
    } else if bytes.starts_with(&[0x3C, 0x00, 0x3F, 0x00]) {
        (Encoding::Utf16, Some(decode_utf16(bytes, le)?))
    } else if bytes.starts_with(&[0x00, 0x3C, 0x00, 0x3F]) {
        (Encoding::Utf16, Some(decode_utf16(bytes, be)?))
    } else {
        (Encoding::Utf8, utf8(bytes))
    };
    match text {
        Some(text) => Ok(Decoded {
            text,
            encoding,
            warnings: Vec::new(),
        }),
        None => {
            let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
            Ok(Decoded {
                text: body.iter().map(|&b| cp1252_char(b)).collect(),
                encoding: Encoding::Windows1252,
                warnings: vec![Warning::new(
                    WarningCode::EncodingRepaired,
                    "bytes are not valid UTF-8; decoded as Windows-1252",
                    None,
                )],
            })
        }
    }
}

fn utf8(bytes: &[u8]) -> Option<String> {
    std::str::from_utf8(bytes).ok().map(str::to_owned)
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, AdfError> {
    if bytes.len() % 2 != 0 {
        return Err(AdfError::Encoding {
            reason: "UTF-16 input has an odd number of bytes".to_owned(),
        });
    }
    let units = bytes.chunks_exact(2).map(|c| {
        unit([
            c.first().copied().unwrap_or(0),
            c.get(1).copied().unwrap_or(0),
        ])
    });
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|e| AdfError::Encoding {
            reason: format!("invalid UTF-16: {e}"),
        })
}

/// Windows-1252 differs from Latin-1 only in 0x80–0x9F.
fn cp1252_char(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9F => HIGH
            .get(usize::from(byte - 0x80))
            .copied()
            .unwrap_or(char::REPLACEMENT_CHARACTER),
        _ => char::from(byte),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> Decoded {
        match decode_bytes(bytes, &ParseOptions::default()) {
            Ok(d) => d,
            Err(e) => panic!("decode failed: {e}"),
        }
    }

    #[test]
    fn utf8_with_a_byte_order_mark_loses_the_mark() {
        let d = decode(b"\xEF\xBB\xBF<adf/>");
        assert_eq!(d.text, "<adf/>");
        assert_eq!(d.encoding, Encoding::Utf8);
        assert!(d.warnings.is_empty());
    }

    #[test]
    fn utf16_little_endian_with_a_mark_is_transcoded() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend("<adf>é</adf>".encode_utf16().flat_map(u16::to_le_bytes));
        let d = decode(&bytes);
        assert_eq!(d.text, "<adf>é</adf>");
        assert_eq!(d.encoding, Encoding::Utf16);
    }

    #[test]
    fn utf16_big_endian_without_a_mark_is_recognised_by_its_layout() {
        let bytes: Vec<u8> = "<?xml version=\"1.0\"?><adf/>"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(decode(&bytes).text, "<?xml version=\"1.0\"?><adf/>");
    }

    #[test]
    fn latin1_bytes_are_repaired_as_windows_1252_with_a_warning() {
        let d = decode(b"<adf>Jos\xE9 \x80</adf>");
        assert_eq!(d.text, "<adf>José €</adf>");
        assert_eq!(d.encoding, Encoding::Windows1252);
        assert_eq!(d.warnings.len(), 1);
    }

    #[test]
    fn an_odd_length_utf16_document_is_an_encoding_error() {
        let err = decode_bytes(&[0xFF, 0xFE, 0x3C], &ParseOptions::default());
        assert!(matches!(err, Err(AdfError::Encoding { .. })));
    }

    #[test]
    fn input_over_the_limit_is_refused_before_decoding() {
        let opts = ParseOptions {
            max_bytes: 4,
            ..ParseOptions::default()
        };
        assert_eq!(
            decode_bytes(b"<adf/>", &opts).err(),
            Some(AdfError::TooLarge { size: 6, limit: 4 })
        );
    }
}
