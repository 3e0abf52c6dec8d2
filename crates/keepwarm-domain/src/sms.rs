//! SMS length in segments, as carriers bill it.
//!
//! A message made only of GSM 03.38 characters is sent in the 7-bit alphabet: 160 septets in one
//! segment, 153 per segment when split (the rest carries the concatenation header); characters of
//! the extension table (`{ } [ ] ~ \ | ^ €` and form feed) take two septets. Any other character
//! forces UCS-2 for the whole message: 70 UTF-16 units in one segment, 67 when split.

/// The encoding a message will be sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// The GSM 7-bit default alphabet.
    Gsm7,
    /// UCS-2 (UTF-16), needed for emoji, curly quotes and most non-Latin text.
    Ucs2,
}

/// The segment count of a message and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmsLength {
    /// The encoding the text needs.
    pub encoding: Encoding,
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    pub units: usize,
    /// Billed segments.
    pub segments: usize,
}

const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM7_EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// Measures `text` as an SMS.
pub fn sms_length(text: &str) -> SmsLength {
    let mut septets = 0;
    let mut gsm = true;
    for c in text.chars() {
        if GSM7_BASIC.contains(c) {
            septets += 1;
        } else if GSM7_EXTENSION.contains(c) {
            septets += 2;
        } else {
            gsm = false;
            break;
        }
    }
    if gsm {
        return SmsLength {
            encoding: Encoding::Gsm7,
            units: septets,
            segments: segments(septets, 160, 153),
        };
    }
    let units = text.encode_utf16().count();
    SmsLength {
        encoding: Encoding::Ucs2,
        units,
        segments: segments(units, 70, 67),
    }
}

fn segments(units: usize, single: usize, multi: usize) -> usize {
    match units {
        0 => 0,
        n if n <= single => 1,
        n => n.div_ceil(multi),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("", Encoding::Gsm7, 0, 0)]
    #[case("Hi Dana", Encoding::Gsm7, 7, 1)]
    #[case(&"a".repeat(160), Encoding::Gsm7, 160, 1)]
    #[case(&"a".repeat(161), Encoding::Gsm7, 161, 2)]
    #[case(&"a".repeat(306), Encoding::Gsm7, 306, 2)]
    #[case(&"a".repeat(307), Encoding::Gsm7, 307, 3)]
    #[case("€", Encoding::Gsm7, 2, 1)]
    #[case("Hi 👋", Encoding::Ucs2, 5, 1)]
    #[case(&"é".repeat(70), Encoding::Gsm7, 70, 1)]
    #[case(&"ê".repeat(70), Encoding::Ucs2, 70, 1)]
    #[case(&"ê".repeat(71), Encoding::Ucs2, 71, 2)]
    #[case("It’s here", Encoding::Ucs2, 9, 1)]
    fn segments_are_counted_like_carriers_do(
        #[case] text: &str,
        #[case] encoding: Encoding,
        #[case] units: usize,
        #[case] segments: usize,
    ) {
        assert_eq!(
            sms_length(text),
            SmsLength {
                encoding,
                units,
                segments
            }
        );
    }
}
