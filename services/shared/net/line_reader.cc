#include "services/shared/net/line_reader.h"

#include <algorithm>
#include <cstring>

#include "absl/types/span.h"

namespace mailroom::net {

LineReader::LineReader(Stream& stream, const Limits& limits)
    : stream_(stream),
      max_line_length_(limits.max_line_length),
      accept_bare_lf_(limits.accept_bare_lf),
      capacity_(std::max(limits.read_buffer_size, limits.max_line_length + 2)),
      timeout_(limits.idle_timeout),
      buffer_(new char[capacity_]) {}

size_t LineReader::FindLineEnd(size_t from, bool prev_is_cr) const {
  const char* base = buffer_.get();
  while (from < end_) {
    const void* hit = std::memchr(base + from, '\n', end_ - from);
    if (hit == nullptr) return std::string::npos;
    size_t at = static_cast<const char*>(hit) - base;
    bool after_cr = at > from ? base[at - 1] == '\r' : prev_is_cr;
    if (accept_bare_lf_ || after_cr) return at;
    from = at + 1;  // a lone LF is content in strict mode
  }
  return std::string::npos;
}

bool LineReader::HasBufferedLine() const {
  if (skipping_) return false;
  size_t from = begin_ + scanned_;
  bool prev_is_cr = from > begin_ && buffer_[from - 1] == '\r';
  return FindLineEnd(from, prev_is_cr) != std::string::npos;
}

asio::awaitable<absl::Status> LineReader::Fill() {
  if (begin_ == end_) {
    begin_ = end_ = 0;
  } else if (end_ == capacity_) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  absl::StatusOr<size_t> n =
      co_await stream_.ReadSome(absl::MakeSpan(buffer_.get() + end_, capacity_ - end_), timeout_);
  if (!n.ok()) co_return n.status();
  end_ += *n;
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> LineReader::SkipRestOfLine() {
  while (skipping_) {
    size_t at = FindLineEnd(begin_, skip_prev_cr_);
    if (at != std::string::npos) {
      begin_ = at + 1;
      skipping_ = false;
      break;
    }
    if (end_ > begin_) skip_prev_cr_ = buffer_[end_ - 1] == '\r';
    begin_ = end_ = 0;
    absl::Status filled = co_await Fill();
    if (!filled.ok()) co_return filled;
  }
  co_return absl::ResourceExhaustedError("line too long");
}

asio::awaitable<absl::StatusOr<Line>> LineReader::ReadLine() {
  for (;;) {
    if (skipping_) co_return co_await SkipRestOfLine();
    size_t from = begin_ + scanned_;
    bool prev_is_cr = from > begin_ && buffer_[from - 1] == '\r';
    size_t at = FindLineEnd(from, prev_is_cr);
    if (at != std::string::npos) {
      bool crlf = at > begin_ && buffer_[at - 1] == '\r';
      size_t length = at - begin_ - (crlf ? 1 : 0);
      Line line{absl::string_view(buffer_.get() + begin_, length),
                crlf ? LineEnding::kCrlf : LineEnding::kBareLf};
      begin_ = at + 1;
      scanned_ = 0;
      if (length > max_line_length_) co_return absl::ResourceExhaustedError("line too long");
      co_return line;
    }
    scanned_ = end_ - begin_;
    // Text plus a trailing '\r' may fill max_line_length_ + 1 bytes; more cannot fit a line.
    if (end_ - begin_ > max_line_length_ + 1) {
      skipping_ = true;
      skip_prev_cr_ = buffer_[end_ - 1] == '\r';
      begin_ = end_ = 0;
      scanned_ = 0;
      continue;
    }
    absl::Status filled = co_await Fill();
    if (!filled.ok()) co_return filled;
  }
}

asio::awaitable<absl::StatusOr<absl::string_view>> LineReader::ReadSome(size_t max_bytes) {
  if (max_bytes == 0) co_return absl::string_view();
  if (begin_ == end_) {
    absl::Status filled = co_await Fill();
    if (!filled.ok()) co_return filled;
  }
  size_t n = std::min(max_bytes, end_ - begin_);
  absl::string_view chunk(buffer_.get() + begin_, n);
  begin_ += n;
  scanned_ = scanned_ > n ? scanned_ - n : 0;
  co_return chunk;
}

asio::awaitable<absl::Status> LineReader::ReadExactly(
    size_t n, absl::FunctionRef<absl::Status(absl::string_view chunk)> sink) {
  while (n > 0) {
    absl::StatusOr<absl::string_view> chunk = co_await ReadSome(n);
    if (!chunk.ok()) co_return chunk.status();
    n -= chunk->size();
    absl::Status accepted = sink(*chunk);
    if (!accepted.ok()) co_return accepted;
  }
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> LineReader::ReadExactly(size_t n, std::string* out) {
  co_return co_await ReadExactly(n, [out](absl::string_view chunk) {
    out->append(chunk.data(), chunk.size());
    return absl::OkStatus();
  });
}

size_t LineReader::DiscardBuffered() {
  size_t dropped = end_ - begin_;
  begin_ = end_ = scanned_ = 0;
  skipping_ = false;
  return dropped;
}

}  // namespace mailroom::net
