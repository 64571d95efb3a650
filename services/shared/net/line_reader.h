// LineReader: bounded, buffered reading of CRLF-terminated protocol lines and of counted byte
// runs (IMAP literals, SMTP BDAT chunks, RFC 3030) over a Stream. Memory per connection is one
// fixed buffer (Limits::read_buffer_size, at least max_line_length + 2): an over-long line is
// skipped, not buffered, and large byte runs are handed out in chunks.
#ifndef MAILROOM_SERVICES_SHARED_NET_LINE_READER_H_
#define MAILROOM_SERVICES_SHARED_NET_LINE_READER_H_

#include <asio/awaitable.hpp>
#include <cstddef>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/shared/net/limits.h"
#include "services/shared/net/stream.h"

namespace mailroom::net {

enum class LineEnding {
  kCrlf,    // "\r\n", the only ending RFC 5321 §2.3.8, RFC 1939 §3 and RFC 9051 §2.2 allow
  kBareLf,  // "\n" alone; SMTP must treat it with care (SMTP smuggling, RFC 5321 §2.3.8)
};

struct Line {
  // The line without its ending. Points into the reader's buffer: valid only until the next
  // call on the LineReader.
  absl::string_view text;
  LineEnding ending = LineEnding::kCrlf;
};

// Not thread-safe; use from the connection's executor, one read at a time.
class LineReader {
 public:
  // `stream` must outlive the reader.
  LineReader(Stream& stream, const Limits& limits);

  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Returns the next line without its ending. A bare LF ends a line only when
  // Limits::accept_bare_lf is set; otherwise it is line content. Each read from the stream
  // waits at most timeout().
  // Errors: kResourceExhausted when the line's text exceeds Limits::max_line_length; the rest
  // of that line has then been read and dropped (never buffered), so the caller can answer
  // (`500 5.5.2`, `BAD`, `-ERR`) and read the next line. kUnavailable when the peer closed
  // (also mid-line), kDeadlineExceeded on the idle timeout, kCancelled on Cancel()/Close().
  asio::awaitable<absl::StatusOr<Line>> ReadLine();

  // Returns between 1 and `max_bytes` bytes: buffered ones first, otherwise the result of one
  // read from the stream. The bytes are valid until the next call on the reader. At most
  // chunk_capacity() bytes are returned whatever `max_bytes` says.
  // Errors: as ReadLine (never kResourceExhausted). `max_bytes` == 0 returns an empty view.
  asio::awaitable<absl::StatusOr<absl::string_view>> ReadSome(size_t max_bytes);

  // Reads exactly `n` bytes and passes them to `sink` in order, in chunks of at most
  // chunk_capacity() bytes, so an n of gigabytes needs no more memory than one chunk. A sink
  // error stops the read and is returned; the unread rest of the `n` bytes stays unread.
  // `sink` must stay valid until the returned awaitable completes.
  // Errors: the sink's, or as ReadSome.
  asio::awaitable<absl::Status> ReadExactly(
      size_t n, absl::FunctionRef<absl::Status(absl::string_view chunk)> sink);

  // Reads exactly `n` bytes and appends them to `*out`. For small, already bounded literals.
  // Errors: as ReadSome.
  asio::awaitable<absl::Status> ReadExactly(size_t n, std::string* out);

  // Drops every buffered byte (and any over-long-line skipping in progress) and returns how
  // many bytes were dropped. Call right before a TLS upgrade: plaintext a client pipelined
  // after STARTTLS/STLS must not be processed as if it came over TLS (RFC 3207 §4.2,
  // RFC 2595; the command injection of CVE-2011-0411).
  size_t DiscardBuffered();

  // Bytes received but not yet returned.
  size_t buffered() const { return end_ - begin_; }

  // True when a complete line is already buffered, so ReadLine() will not wait on the network.
  bool HasBufferedLine() const;

  // The deadline of each read. Starts as Limits::idle_timeout; sessions may change it (e.g. a
  // longer one during IMAP IDLE, RFC 9051 §6.3.13).
  absl::Duration timeout() const { return timeout_; }
  void set_timeout(absl::Duration timeout) { timeout_ = timeout; }

  // The largest chunk ReadSome()/ReadExactly() hand out.
  size_t chunk_capacity() const { return capacity_; }

 private:
  // Index of the '\n' that ends the first line in [from, end_), or npos. `prev_is_cr` says
  // whether the byte before `from` was '\r'.
  size_t FindLineEnd(size_t from, bool prev_is_cr) const;
  // Reads more bytes into the free space after end_, moving buffered bytes to the front first
  // when the free space is exhausted.
  asio::awaitable<absl::Status> Fill();
  // Drops bytes until the end of the over-long line being skipped.
  asio::awaitable<absl::Status> SkipRestOfLine();

  Stream& stream_;
  const size_t max_line_length_;
  const bool accept_bare_lf_;
  const size_t capacity_;
  absl::Duration timeout_;
  std::unique_ptr<char[]> buffer_;
  size_t begin_ = 0;    // first unconsumed byte
  size_t end_ = 0;      // one past the last received byte
  size_t scanned_ = 0;  // bytes after begin_ already known to hold no line end
  bool skipping_ = false;
  bool skip_prev_cr_ = false;  // while skipping: the last dropped byte was '\r'
};

}  // namespace mailroom::net

#endif  // MAILROOM_SERVICES_SHARED_NET_LINE_READER_H_
