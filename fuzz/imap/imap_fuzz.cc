// libFuzzer target for services/imap/protocol. The first input byte selects what is fuzzed:
//   0 the CommandReader, fed in chunks whose size comes from the second byte, with every
//     complete command run through its argument parser (imap_fuzz_args.cc);
//   1 sequence sets; 2 modified UTF-7 and dates; 3 the response writer's strings read back
//     through the CommandReader.
// Invariants are checked, not only crashes.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "fuzz/imap/imap_fuzz_args.h"
#include "services/imap/protocol/command_reader.h"
#include "services/imap/protocol/imap_date.h"
#include "services/imap/protocol/mutf7.h"
#include "services/imap/protocol/response_writer.h"
#include "services/imap/protocol/sequence_set.h"
#include "services/shared/text/utf8.h"

namespace mailroom::imap::fuzz {
namespace {

CommandReaderOptions PickOptions(uint8_t flags) {
  CommandReaderOptions options;
  options.utf8 = (flags & 1) != 0;
  options.stream_append_literals = (flags & 2) != 0;
  if ((flags & 4) != 0) {
    options.limits.max_line_length = 64;
    options.limits.max_literal_size = 32;
    options.limits.max_append_literal_size = 48;
    options.limits.max_command_size = 256;
    options.limits.max_depth = 3;
    options.limits.max_tokens = 24;
  }
  if ((flags & 8) != 0) options.limits.max_nonsync_literal_size = 16;
  return options;
}

// Feeds `input` in pieces of `chunk` bytes and returns every event rendered as a string;
// literal chunks are joined so the result does not depend on how the input was split.
std::vector<std::string> RunReader(absl::string_view input, size_t chunk,
                                   const CommandReaderOptions& options, bool reject) {
  CommandReader reader(options);
  std::vector<std::string> events;
  uint64_t streamed = 0;
  bool in_data = false;
  for (size_t pos = 0; pos < input.size(); pos += chunk) {
    reader.Feed(input.substr(pos, chunk));
    for (ReadEvent e = reader.Next(); e.kind != ReadEvent::Kind::kNeedMore; e = reader.Next()) {
      if (e.kind == ReadEvent::Kind::kLiteralChunk) {
        Check(e.chunk.size() <= streamed, "literal chunk past the literal");
        streamed -= e.chunk.size();
        if (!in_data) events.emplace_back("DATA ");
        events.back().append(e.chunk.data(), e.chunk.size());
        in_data = true;
        continue;
      }
      in_data = false;
      events.push_back(absl::StrCat(static_cast<int>(e.kind), " ", e.tag, " ", e.name, " ",
                                    e.size, " ", e.message, e.line));
      if (e.kind == ReadEvent::Kind::kCommand) {
        Check(!e.command.tag.empty() && !e.command.name.empty(), "command without tag");
        events.back() += DebugString(e.command.args);
        ParseArgsFor(e.command, options.utf8);
        if (e.command.name == "AUTHENTICATE") reader.ExpectLine();
      } else if (e.kind == ReadEvent::Kind::kNeedContinuation ||
                 e.kind == ReadEvent::Kind::kLiteralStart) {
        Check(e.size <= std::max(options.limits.max_literal_size,
                                 options.limits.max_append_literal_size),
              "literal over its limit accepted");
        if (reject) reader.RejectLiteral();
        if (e.kind == ReadEvent::Kind::kLiteralStart && !reject) streamed = e.size;
      } else if (e.kind == ReadEvent::Kind::kLine) {
        Check(e.line.size() <= options.limits.max_line_length, "raw line over the limit");
      }
    }
    // Only a line in progress (bounded) stays buffered.
    Check(reader.buffered() <= options.limits.max_line_length + 2, "unbounded buffer");
  }
  return events;
}

void FuzzReader(absl::string_view input) {
  if (input.size() < 2) return;
  const uint8_t flags = static_cast<uint8_t>(input[0]);
  const size_t chunk = 1 + static_cast<uint8_t>(input[1]) % 64;
  const bool reject = (flags & 16) != 0;
  const CommandReaderOptions options = PickOptions(flags);
  input.remove_prefix(2);
  const std::vector<std::string> split = RunReader(input, chunk, options, reject);
  const std::vector<std::string> whole = RunReader(input, input.size() + 1, options, reject);
  if (split != whole) {
    for (size_t i = 0; i < std::max(split.size(), whole.size()); ++i) {
      std::fprintf(stderr, "split: %s\nwhole: %s\n", i < split.size() ? split[i].c_str() : "-",
                   i < whole.size() ? whole[i].c_str() : "-");
    }
  }
  Check(split == whole, "events depend on how the input was split");
}

void FuzzSequenceSet(absl::string_view input) {
  absl::StatusOr<SequenceSet> set = SequenceSet::Parse(input, 64);
  if (!set.ok()) return;
  absl::StatusOr<SequenceSet> reparsed = SequenceSet::Parse(set->ToString(), 64);
  Check(reparsed.ok() && *reparsed == *set, "sequence set does not render as parsed");
  for (uint32_t max : {0u, 1u, 7u, 4294967295u}) {
    const std::vector<SeqRange> ranges = set->Resolve(max);
    for (size_t i = 0; i < ranges.size(); ++i) {
      Check(ranges[i].lo >= 1 && ranges[i].lo <= ranges[i].hi, "bad resolved range");
      Check(i == 0 || uint64_t{ranges[i - 1].hi} + 1 < ranges[i].lo, "ranges not merged");
      Check(set->Contains(ranges[i].lo, max) && set->Contains(ranges[i].hi, max),
            "resolved range not contained");
    }
    absl::StatusOr<SequenceSet> compact = SequenceSet::Parse(RenderCompact(ranges), 1 << 20);
    Check(ranges.empty() || (compact.ok() && compact->Resolve(max) == ranges),
          "compact rendering differs");
  }
}

void FuzzNamesAndDates(absl::string_view input) {
  absl::StatusOr<std::string> decoded = DecodeMutf7(input);
  if (decoded.ok()) {
    Check(mailroom::text::IsValidUtf8(std::string_view(decoded->data(), decoded->size())),
          "mUTF-7 decoded to invalid UTF-8");
    absl::StatusOr<std::string> again = DecodeMutf7(EncodeMutf7(*decoded));
    Check(again.ok() && *again == *decoded, "mUTF-7 does not round-trip");
  }
  if (mailroom::text::IsValidUtf8(std::string_view(input.data(), input.size())) &&
      input.find('\0') == absl::string_view::npos) {
    absl::StatusOr<std::string> back = DecodeMutf7(EncodeMutf7(input));
    Check(back.ok() && *back == input, "UTF-8 does not round-trip through mUTF-7");
  }
  if (absl::StatusOr<DateTime> dt = ParseDateTime(input); dt.ok()) {
    absl::StatusOr<DateTime> again = ParseDateTime(FormatDateTime(dt->time, dt->zone_minutes));
    Check(again.ok() && *again == *dt, "date-time does not round-trip");
  }
  (void)ParseDate(input);
}

// A string written by ResponseBuilder reads back as the same bytes.
void FuzzWriter(absl::string_view input) {
  const bool utf8 = !input.empty() && (input[0] & 1) != 0;
  ResponseBuilder builder(utf8);
  builder.String(input);
  CommandReaderOptions options;
  options.utf8 = utf8;
  options.limits.max_literal_size = 1 << 20;
  CommandReader reader(options);
  reader.Feed(absl::StrCat("t X ", builder.str(), "\r\n"));
  ReadEvent e = reader.Next();
  if (e.kind == ReadEvent::Kind::kNeedContinuation) e = reader.Next();
  Check(e.kind == ReadEvent::Kind::kCommand, "written string does not read back");
  Check(e.command.args.size() == 1 && e.command.args[0].value == input,
        "written string reads back differently");
}

}  // namespace
}  // namespace mailroom::imap::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const absl::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      mailroom::imap::fuzz::FuzzReader(input);
      break;
    case 1:
      mailroom::imap::fuzz::FuzzSequenceSet(input);
      break;
    case 2:
      mailroom::imap::fuzz::FuzzNamesAndDates(input);
      break;
    default:
      mailroom::imap::fuzz::FuzzWriter(input);
      break;
  }
  return 0;
}
