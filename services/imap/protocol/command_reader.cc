#include "services/imap/protocol/command_reader.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/status/statusor.h"

namespace mailroom::imap {
namespace {

constexpr size_t kCompactThreshold = 64 * 1024;
constexpr size_t kSkipTailBytes = 32;  // enough to see a trailing `~{nnn+}`

// The tag of a line the builder could not lex: its first word, when that is a valid tag
// followed by a space within `line` (the caller passes a prefix of fixed length, so the
// answer does not depend on how much of an over-long line was buffered).
std::string TagFromLine(absl::string_view line) {
  const size_t space = line.find(' ');
  if (space == absl::string_view::npos) return "";
  absl::string_view word = line.substr(0, space);
  return IsValidTag(word) ? std::string(word) : "";
}

absl::string_view StripCr(absl::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

CommandReader::CommandReader(CommandReaderOptions options)
    : options_(options), builder_(options.limits.max_depth, options.limits.max_tokens) {
  builder_.set_utf8(options.utf8);
}

void CommandReader::Feed(absl::string_view bytes) {
  if (pos_ > 0 && (pos_ >= kCompactThreshold || pos_ * 2 >= buf_.size())) {
    buf_.erase(0, pos_);
    scan_ = scan_ > pos_ ? scan_ - pos_ : 0;
    pos_ = 0;
  }
  buf_.append(bytes.data(), bytes.size());
}

ReadEvent CommandReader::Next() {
  while (true) {
    bool again = false;
    ReadEvent event;
    switch (state_) {
      case State::kLine:
        event = ReadLine(&again);
        break;
      case State::kAwaitLiteral:
        // The session did not reject the literal: read it.
        state_ = pending_streamed_ ? State::kStreamLiteral : State::kLiteral;
        remaining_ = pending_.size;
        literal_.clear();
        again = true;
        break;
      case State::kLiteral:
        event = ReadLiteral(&again);
        break;
      case State::kStreamLiteral:
        event = StreamLiteral(&again);
        break;
      case State::kDiscard:
        Discard(&again);
        break;
      case State::kSkipLine:
        SkipLine(&again);
        break;
    }
    if (!again) return event;
  }
}

void CommandReader::RejectLiteral() {
  if (state_ != State::kAwaitLiteral) return;
  builder_.Reset();
  command_bytes_ = 0;
  SkipRestOfCommand(pending_);
}

ReadEvent CommandReader::ReadLine(bool* again) {
  const CommandLimits& limits = options_.limits;
  scan_ = std::max(scan_, pos_);
  const size_t lf = buf_.find('\n', scan_);
  if (lf == std::string::npos) {
    scan_ = buf_.size();
    // +1: the line's CR may already be buffered.
    if (buf_.size() - pos_ > limits.max_line_length + 1) {
      absl::string_view pending(buf_.data() + pos_, buf_.size() - pos_);
      const size_t tail = std::min(pending.size(), kSkipTailBytes);
      ReadEvent event = Fail("Line too long", pending.substr(0, 256), /*line_complete=*/false,
                             pending.substr(pending.size() - tail));
      pos_ = scan_ = buf_.size();
      return event;
    }
    return ReadEvent{};
  }
  absl::string_view line = StripCr(absl::string_view(buf_.data() + pos_, lf - pos_));
  pos_ = scan_ = lf + 1;
  if (line.size() > limits.max_line_length) return Fail("Line too long", line, true, line);
  if (expect_line_ && builder_.empty()) {
    expect_line_ = false;
    ReadEvent event;
    event.kind = ReadEvent::Kind::kLine;
    event.line = std::string(line);
    return event;
  }
  if (builder_.empty() && line.empty()) {
    *again = true;  // tolerate blank lines between commands
    return ReadEvent{};
  }
  command_bytes_ += line.size() + 2;
  if (command_bytes_ > limits.max_command_size) return Fail("Command too long", line, true, line);
  CommandBuilder::LineResult result = builder_.AddLine(line);
  switch (result.kind) {
    case CommandBuilder::LineResult::Kind::kError:
      return Fail(std::move(result.error), line, true, line);
    case CommandBuilder::LineResult::Kind::kLiteral:
      return OnLiteral(result.literal, again);
    case CommandBuilder::LineResult::Kind::kComplete:
      break;
  }
  absl::StatusOr<Command> command = builder_.Finish();
  if (!command.ok()) return Fail(std::string(command.status().message()), line, true, line);
  ReadEvent event;
  event.kind = ReadEvent::Kind::kCommand;
  event.tag = command->tag;
  event.name = command->name;
  event.command = *std::move(command);
  command_bytes_ = 0;
  return event;
}

// Decides what happens to a literal just announced: too large, streamed to the session,
// continuation needed, or read straight away (RFC 9051 §4.3, RFC 7888).
ReadEvent CommandReader::OnLiteral(const LiteralSpec& spec, bool* again) {
  const CommandLimits& limits = options_.limits;
  const bool append_message = builder_.name() == "APPEND" && builder_.top_level_count() >= 3;
  const bool streamed = append_message && options_.stream_append_literals;
  bool too_large = spec.size > (append_message ? limits.max_append_literal_size
                                               : limits.max_literal_size) ||
                   (!spec.synchronizing && spec.size > limits.max_nonsync_literal_size);
  if (!too_large && !streamed) {
    const uint64_t budget =
        limits.max_command_size + (append_message ? limits.max_append_literal_size : 0);
    too_large = command_bytes_ + spec.size > budget;
  }
  ReadEvent event;
  event.tag = builder_.tag();
  event.name = builder_.name();
  event.size = spec.size;
  event.synchronizing = spec.synchronizing;
  event.literal8 = spec.literal8;
  if (too_large) {
    event.kind = ReadEvent::Kind::kLiteralTooLarge;
    builder_.Reset();
    command_bytes_ = 0;
    SkipRestOfCommand(spec);
    return event;
  }
  pending_ = spec;
  pending_streamed_ = streamed;
  if (!streamed) command_bytes_ += spec.size;
  if (streamed || spec.synchronizing) {
    event.kind = streamed ? ReadEvent::Kind::kLiteralStart : ReadEvent::Kind::kNeedContinuation;
    event.command.tag = event.tag;
    event.command.name = event.name;
    event.command.args = builder_.args_so_far();
    state_ = State::kAwaitLiteral;
    return event;
  }
  state_ = State::kLiteral;
  remaining_ = spec.size;
  literal_.clear();
  *again = true;
  return ReadEvent{};
}

ReadEvent CommandReader::ReadLiteral(bool* again) {
  const size_t take = static_cast<size_t>(std::min<uint64_t>(buf_.size() - pos_, remaining_));
  literal_.append(buf_, pos_, take);
  pos_ += take;
  remaining_ -= take;
  if (remaining_ > 0) return ReadEvent{};
  std::string error = builder_.AddLiteral(std::move(literal_), pending_.literal8);
  literal_.clear();
  state_ = State::kLine;
  if (!error.empty()) return Fail(std::move(error), "", false, "");
  *again = true;
  return ReadEvent{};
}

ReadEvent CommandReader::StreamLiteral(bool* again) {
  if (remaining_ == 0) {
    std::string error = builder_.AddStreamedLiteral(pending_.size, pending_.literal8);
    state_ = State::kLine;
    if (!error.empty()) return Fail(std::move(error), "", false, "");
    *again = true;
    return ReadEvent{};
  }
  const size_t take = static_cast<size_t>(std::min<uint64_t>(buf_.size() - pos_, remaining_));
  if (take == 0) return ReadEvent{};
  ReadEvent event;
  event.kind = ReadEvent::Kind::kLiteralChunk;
  event.chunk = absl::string_view(buf_.data() + pos_, take);
  pos_ += take;
  remaining_ -= take;
  return event;
}

void CommandReader::Discard(bool* again) {
  const size_t take = static_cast<size_t>(std::min<uint64_t>(buf_.size() - pos_, remaining_));
  pos_ += take;
  remaining_ -= take;
  if (remaining_ == 0) {
    state_ = State::kSkipLine;
    skip_tail_.clear();
    skip_raw_ = false;
    *again = true;
  }
}

// Skips to the end of the current line; a non-synchronizing literal announced at its end is
// discarded too, since the client sends it without waiting (RFC 7888 §4).
void CommandReader::SkipLine(bool* again) {
  const size_t lf = buf_.find('\n', pos_);
  if (lf == std::string::npos) {
    if (!skip_raw_) skip_tail_.append(buf_, pos_, std::string::npos);
    if (skip_tail_.size() > kSkipTailBytes) skip_tail_.erase(0, skip_tail_.size() - kSkipTailBytes);
    pos_ = scan_ = buf_.size();
    return;
  }
  skip_tail_.append(buf_, pos_, lf - pos_);
  pos_ = scan_ = lf + 1;
  std::optional<LiteralSpec> spec;
  if (!skip_raw_) spec = TrailingLiteralSpec(StripCr(skip_tail_));
  skip_tail_.clear();
  state_ = State::kLine;
  if (spec) SkipRestOfCommand(*spec);
  *again = true;
}

ReadEvent CommandReader::Fail(std::string message, absl::string_view line_head,
                              bool line_complete, absl::string_view line_tail) {
  ReadEvent event;
  event.kind = ReadEvent::Kind::kError;
  event.message = std::move(message);
  // A raw line (ExpectLine) has no tag and announces no literal.
  const bool raw = expect_line_ && builder_.empty();
  expect_line_ = false;
  const size_t head = std::min<size_t>(options_.limits.max_line_length, 256);
  event.tag = raw                ? ""
              : builder_.empty() ? TagFromLine(line_head.substr(0, head))
                                 : builder_.tag();
  event.name = builder_.name();
  std::optional<LiteralSpec> spec;
  if (line_complete && !raw) spec = TrailingLiteralSpec(line_tail);
  if (!line_complete) skip_tail_ = raw ? "" : std::string(line_tail);
  skip_raw_ = raw;
  builder_.Reset();
  command_bytes_ = 0;
  literal_.clear();
  state_ = line_complete ? State::kLine : State::kSkipLine;
  if (spec) SkipRestOfCommand(*spec);
  return event;
}

void CommandReader::SkipRestOfCommand(const LiteralSpec& spec) {
  if (spec.synchronizing) {
    state_ = State::kLine;  // the client waits for a continuation that never comes
    return;
  }
  state_ = State::kDiscard;
  remaining_ = spec.size;
}

}  // namespace mailroom::imap
