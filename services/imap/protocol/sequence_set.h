// IMAP sequence sets (RFC 9051 §9 `sequence-set`, RFC 5182 `$`): parsing, resolving `*`
// against the mailbox, membership, iteration and compact rendering. Used for message sequence
// numbers and UIDs alike.
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_SEQUENCE_SET_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_SEQUENCE_SET_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mailroom::imap {

// A closed range lo..hi with lo <= hi after resolution. Before resolution either end may be
// kStar ("*", the largest number in use).
struct SeqRange {
  static constexpr uint32_t kStar = 0;
  uint32_t lo = 0;
  uint32_t hi = 0;
  friend bool operator==(const SeqRange&, const SeqRange&) = default;
};

class SequenceSet {
 public:
  static constexpr size_t kDefaultMaxRanges = 10000;

  SequenceSet() = default;

  // Parses `1:4,7,9:*`, reversed ranges (`4:2`) and `$` (the saved search result, RFC 5182).
  // Returns INVALID_ARGUMENT for anything else (0, numbers above 2^32-1, empty elements, `$`
  // combined with other elements) or more than `max_ranges` elements.
  static absl::StatusOr<SequenceSet> Parse(absl::string_view text,
                                           size_t max_ranges = kDefaultMaxRanges);
  // A set of the given numbers (need not be sorted; 0 is ignored).
  static SequenceSet FromNumbers(std::vector<uint32_t> numbers);
  static SequenceSet FromRanges(std::vector<SeqRange> ranges);
  static SequenceSet SavedResult();

  // True for `$`: the caller substitutes its saved search result (RFC 5182 §2.1).
  bool is_saved_result() const { return saved_result_; }
  bool empty() const { return ranges_.empty() && !saved_result_; }
  // The ranges as parsed (may contain kStar, unordered, overlapping).
  const std::vector<SeqRange>& ranges() const { return ranges_; }

  // Returns the set with `*` replaced by `max` (the highest sequence number or UID in use),
  // each range ordered, sorted and merged. With max == 0 (empty mailbox) `*` stands for 0 and
  // ranges that only contain it vanish. RFC 9051 §6.4.9: `n:*` always includes max.
  std::vector<SeqRange> Resolve(uint32_t max) const;
  // True when `n` is in the set once `*` is resolved to `max`.
  bool Contains(uint32_t n, uint32_t max) const;
  // True when any element uses `*`.
  bool HasStar() const;
  // Numbers of the resolved set in ascending order, but at most `limit` of them.
  std::vector<uint32_t> Numbers(uint32_t max, size_t limit) const;
  // Calls `fn(n)` for every number of the resolved set in ascending order; stops when `fn`
  // returns false.
  template <typename Fn>
  void ForEach(uint32_t max, Fn fn) const {
    for (const SeqRange& r : Resolve(max)) {
      for (uint64_t n = r.lo; n <= r.hi; ++n) {
        if (!fn(static_cast<uint32_t>(n))) return;
      }
    }
  }

  // Renders the set as parsed ("$", "1:4,7,9:*").
  std::string ToString() const;

  friend bool operator==(const SequenceSet&, const SequenceSet&) = default;

 private:
  std::vector<SeqRange> ranges_;
  bool saved_result_ = false;
};

// Renders resolved ranges compactly after sorting and merging ("1:3,5"); "" for none.
std::string RenderCompact(std::vector<SeqRange> ranges);
// Renders a list of numbers compactly ("1:3,5"), as COPYUID and ESEARCH ALL want.
std::string RenderCompact(const std::vector<uint32_t>& numbers);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_SEQUENCE_SET_H_
