//! Newline framing (stdio, a UART): split a byte stream into frames with a fixed buffer.
//!
//! [`LineBuffer`] is sans-IO: read into [`LineBuffer::space`], report the count with
//! [`LineBuffer::commit`], then take frames with [`LineBuffer::next_line`]. A line longer
//! than the buffer is reported once as [`Line::TooLong`] and skipped up to the next
//! newline, so the stream resynchronises. [`serve`] is a ready blocking loop over
//! `embedded_io::Read`.

use crate::{Error, Handler, Server, Sink, Storage};

/// What [`LineBuffer::next_line`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// A complete frame (without its line ending; blank lines are skipped).
    Frame(&'a [u8]),
    /// A line did not fit the buffer; it is being discarded up to the next newline.
    TooLong,
}

/// A fixed buffer that splits input into newline-delimited frames.
#[derive(Debug)]
pub struct LineBuffer<B> {
    buf: B,
    start: usize,
    end: usize,
    scanned: usize,
    discarding: bool,
}

impl<B: AsRef<[u8]> + AsMut<[u8]>> LineBuffer<B> {
    /// A line buffer over `buf`; its length is the longest frame accepted.
    pub const fn new(buf: B) -> Self {
        Self { buf, start: 0, end: 0, scanned: 0, discarding: false }
    }

    /// The longest frame accepted, in bytes.
    pub fn capacity(&self) -> usize {
        self.buf.as_ref().len()
    }

    /// Free space to read more input into (never empty).
    pub fn space(&mut self) -> &mut [u8] {
        if self.start > 0 {
            self.buf.as_mut().copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.scanned -= self.start;
            self.start = 0;
        }
        let end = self.end;
        self.buf.as_mut().get_mut(end..).unwrap_or_default()
    }

    /// Bytes held that no frame returned so far took: the start of the next line, or
    /// lines not yet taken.
    pub fn buffered(&self) -> usize {
        self.end - self.start
    }

    /// Record that `n` bytes were read into [`LineBuffer::space`].
    pub fn commit(&mut self, n: usize) {
        self.end = (self.end + n).min(self.capacity());
    }

    /// The next complete frame, a too-long report, or `None` when more input is needed.
    pub fn next_line(&mut self) -> Option<Line<'_>> {
        loop {
            let window = self.buf.as_ref().get(self.scanned..self.end).unwrap_or_default();
            let Some(offset) = window.iter().position(|&b| b == b'\n') else {
                self.scanned = self.end;
                if self.discarding {
                    (self.start, self.end, self.scanned) = (0, 0, 0);
                    return None;
                }
                if self.end - self.start >= self.capacity() {
                    self.discarding = true;
                    (self.start, self.end, self.scanned) = (0, 0, 0);
                    return Some(Line::TooLong);
                }
                return None;
            };
            let newline = self.scanned + offset;
            let line_start = core::mem::replace(&mut self.start, newline + 1);
            self.scanned = self.start;
            if core::mem::take(&mut self.discarding) {
                continue;
            }
            let line = self.buf.as_ref().get(line_start..newline).unwrap_or_default();
            if !is_blank(line) {
                let line = self.buf.as_ref().get(line_start..newline).unwrap_or_default();
                return Some(Line::Frame(line.strip_suffix(b"\r").unwrap_or(line)));
            }
        }
    }

    /// At end of input: the last, unterminated frame if there is one.
    pub fn finish(&mut self) -> Option<&[u8]> {
        let (start, end) = (self.start, self.end);
        (self.start, self.end, self.scanned) = (0, 0, 0);
        if core::mem::take(&mut self.discarding) {
            return None;
        }
        let rest = self.buf.as_ref().get(start..end).unwrap_or_default();
        (!is_blank(rest)).then_some(rest)
    }
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r'))
}

/// Why [`serve`] stopped.
#[derive(Debug)]
pub enum ServeError<E> {
    /// Reading failed.
    Read(E),
    /// Writing failed.
    Write,
}

/// Serve newline-delimited MCP over a blocking reader until end of input (a `read` of 0).
///
/// Output is flushed whenever the buffered input is used up. The handler's
/// [`poll`](crate::Handler::poll) runs after each batch of input; for timers while waiting
/// for input, write your own loop around [`LineBuffer`] (see the firmware example).
pub fn serve<R, B, S>(
    reader: &mut R,
    out: &mut dyn Sink,
    lines: &mut LineBuffer<B>,
    server: &mut Server<S>,
    handler: &mut dyn Handler,
) -> Result<(), ServeError<R::Error>>
where
    R: embedded_io::Read,
    B: AsRef<[u8]> + AsMut<[u8]>,
    S: Storage,
{
    let write = |_: Error| ServeError::Write;
    loop {
        while let Some(line) = lines.next_line() {
            match line {
                Line::Frame(frame) => server.receive(frame, out, handler),
                Line::TooLong => server.reject_oversized(lines.capacity(), out),
            }
            .map_err(write)?;
        }
        server.poll(out, handler).map_err(write)?;
        out.flush().map_err(write)?;
        let n = reader.read(lines.space()).map_err(ServeError::Read)?;
        if n == 0 {
            if let Some(frame) = lines.finish() {
                server.receive(frame, out, handler).map_err(write)?;
            }
            return out.flush().map_err(write);
        }
        lines.commit(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed<const N: usize>(lines: &mut LineBuffer<[u8; N]>, input: &[u8]) {
        let space = lines.space();
        space[..input.len()].copy_from_slice(input);
        lines.commit(input.len());
    }

    #[test]
    fn splits_skips_blank_and_strips_cr() {
        let mut lines = LineBuffer::new([0u8; 32]);
        feed(&mut lines, b"a\r\n\n  \nbb\nc");
        assert_eq!(lines.next_line(), Some(Line::Frame(b"a")));
        assert_eq!(lines.next_line(), Some(Line::Frame(b"bb")));
        assert_eq!(lines.next_line(), None);
        feed(&mut lines, b"c\n");
        assert_eq!(lines.next_line(), Some(Line::Frame(b"cc")));
        feed(&mut lines, b"tail");
        assert_eq!(lines.next_line(), None);
        assert_eq!(lines.finish(), Some(&b"tail"[..]));
    }

    #[test]
    fn too_long_lines_resynchronise() {
        let mut lines = LineBuffer::new([0u8; 8]);
        feed(&mut lines, b"12345678");
        assert_eq!(lines.next_line(), Some(Line::TooLong));
        assert_eq!(lines.next_line(), None);
        feed(&mut lines, b"9999");
        assert_eq!(lines.next_line(), None);
        feed(&mut lines, b"9\nok\n");
        assert_eq!(lines.next_line(), Some(Line::Frame(b"ok")));
        assert_eq!(lines.next_line(), None);
        // A line of exactly the capacity minus the newline still fits.
        feed(&mut lines, b"1234567\n");
        assert_eq!(lines.next_line(), Some(Line::Frame(b"1234567")));
    }
}
