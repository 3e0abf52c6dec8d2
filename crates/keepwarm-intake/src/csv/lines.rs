//! Line numbers for CSV records, counted the way a spreadsheet shows rows.
//!
//! The `csv` crate's own line counter skips blank lines and miscounts CRLF files, so the reader is
//! wrapped in a [`LineTracker`] that notes where each line break is; a record's line is then one
//! plus the breaks before its first byte. A line break is `\n`, `\r\n` or a lone `\r`. The `csv`
//! crate reports a record as starting where the previous one ended (on its terminator, or on blank
//! lines before it); since no record starts with a line break, breaks running on from that offset
//! are counted as before the record. Only breaks not yet passed are kept, so memory stays bounded
//! by the reader's buffer.

use std::collections::VecDeque;
use std::io::{self, Read};

/// A reader that records the byte offsets of line breaks as they go through.
#[derive(Debug)]
pub(crate) struct LineTracker<R> {
    inner: R,
    /// Bytes read so far.
    offset: u64,
    /// First and last byte offsets of line breaks not yet passed by [`LineTracker::line_at`].
    pending: VecDeque<(u64, u64)>,
    /// Line breaks already passed.
    passed: u64,
    /// The offset of a `\r` just read (a `\n` right after it is the same break).
    cr_at: Option<u64>,
}

impl<R> LineTracker<R> {
    /// Wraps a reader.
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            offset: 0,
            pending: VecDeque::new(),
            passed: 0,
            cr_at: None,
        }
    }

    /// The 1-based line of the byte at `offset`. Offsets must not decrease between calls.
    pub(crate) fn line_at(&mut self, offset: u64) -> u64 {
        while self.pending.front().is_some_and(|(_, end)| *end < offset) {
            self.pending.pop_front();
            self.passed += 1;
        }
        let mut cursor = offset;
        while let Some((start, end)) = self.pending.front().copied() {
            if start > cursor {
                break;
            }
            self.pending.pop_front();
            self.passed += 1;
            cursor = end + 1;
        }
        self.passed + 1
    }
}

impl<R: Read> Read for LineTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, b) in buf.iter().take(n).enumerate() {
            let at = self.offset + i as u64;
            match (b, self.cr_at.take()) {
                (b'\n', Some(cr)) => self.pending.push_back((cr, at)),
                (b'\n', None) => self.pending.push_back((at, at)),
                (other, cr) => {
                    if let Some(cr) = cr {
                        self.pending.push_back((cr, cr));
                    }
                    if *other == b'\r' {
                        self.cr_at = Some(at);
                    }
                }
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// Line breaks inside a record's cells (a quoted cell spanning lines): lines that are not rows.
pub(crate) fn line_breaks_in(record: &::csv::ByteRecord) -> u64 {
    record
        .iter()
        .map(|cell| {
            let mut count = 0;
            let mut after_cr = false;
            for b in cell {
                if *b == b'\r' || (*b == b'\n' && !after_cr) {
                    count += 1;
                }
                after_cr = *b == b'\r';
            }
            count
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_lf_and_lone_cr_each_end_one_line() {
        let mut tracker = LineTracker::new(&b"a\r\nb\nc\rd"[..]);
        let mut sink = Vec::new();
        assert!(tracker.read_to_end(&mut sink).is_ok());
        assert_eq!(tracker.line_at(0), 1);
        assert_eq!(tracker.line_at(3), 2);
        assert_eq!(tracker.line_at(5), 3);
        assert_eq!(tracker.line_at(7), 4);
    }

    #[test]
    fn a_record_reported_on_the_previous_terminator_or_a_blank_line_is_on_the_next_line() {
        let mut tracker = LineTracker::new(&b"a\r\nb\r\n\r\nc"[..]);
        let mut sink = Vec::new();
        assert!(tracker.read_to_end(&mut sink).is_ok());
        // `b` reported at the `\n` of line 1's CRLF; `c` at the start of the blank line.
        assert_eq!(tracker.line_at(2), 2);
        assert_eq!(tracker.line_at(6), 4);
    }
}
