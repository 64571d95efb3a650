#include "services/imap/protocol/sequence_set.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mailroom::imap {
namespace {

// RFC 9051 §9: seq-number = nz-number / "*".
bool ParseSeqNumber(absl::string_view text, uint32_t* out) {
  if (text == "*") {
    *out = SeqRange::kStar;
    return true;
  }
  if (text.empty() || text.size() > 10 || text[0] == '0') return false;
  uint64_t value = 0;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > UINT32_MAX) return false;
  *out = static_cast<uint32_t>(value);
  return true;
}

// Sorts and merges ordered ranges (lo <= hi), joining adjacent ones.
std::vector<SeqRange> Normalize(std::vector<SeqRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const SeqRange& a, const SeqRange& b) { return a.lo < b.lo; });
  std::vector<SeqRange> merged;
  for (const SeqRange& r : ranges) {
    if (!merged.empty() && static_cast<uint64_t>(r.lo) <= uint64_t{merged.back().hi} + 1) {
      merged.back().hi = std::max(merged.back().hi, r.hi);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

}  // namespace

absl::StatusOr<SequenceSet> SequenceSet::Parse(absl::string_view text, size_t max_ranges) {
  SequenceSet set;
  if (text == "$") return SavedResult();
  if (text.empty()) return absl::InvalidArgumentError("Empty sequence set");
  for (absl::string_view element : absl::StrSplit(text, ',')) {
    if (set.ranges_.size() >= max_ranges) {
      return absl::InvalidArgumentError("Too many ranges in sequence set");
    }
    SeqRange range;
    const size_t colon = element.find(':');
    const absl::string_view first = element.substr(0, colon);
    bool ok = ParseSeqNumber(first, &range.lo);
    if (colon == absl::string_view::npos) {
      range.hi = range.lo;
    } else {
      ok = ok && ParseSeqNumber(element.substr(colon + 1), &range.hi);
    }
    if (!ok) return absl::InvalidArgumentError(absl::StrCat("Invalid sequence set: ", text));
    set.ranges_.push_back(range);
  }
  return set;
}

SequenceSet SequenceSet::FromNumbers(std::vector<uint32_t> numbers) {
  std::vector<SeqRange> ranges;
  for (uint32_t n : numbers) {
    if (n != 0) ranges.push_back({n, n});
  }
  return FromRanges(Normalize(std::move(ranges)));
}

SequenceSet SequenceSet::FromRanges(std::vector<SeqRange> ranges) {
  SequenceSet set;
  set.ranges_ = std::move(ranges);
  return set;
}

SequenceSet SequenceSet::SavedResult() {
  SequenceSet set;
  set.saved_result_ = true;
  return set;
}

std::vector<SeqRange> SequenceSet::Resolve(uint32_t max) const {
  std::vector<SeqRange> ordered;
  ordered.reserve(ranges_.size());
  for (SeqRange r : ranges_) {
    if (r.lo == SeqRange::kStar) r.lo = max;
    if (r.hi == SeqRange::kStar) r.hi = max;
    if (r.lo > r.hi) std::swap(r.lo, r.hi);
    if (r.hi == 0) continue;  // only `*` of an empty mailbox
    if (r.lo == 0) r.lo = 1;
    ordered.push_back(r);
  }
  return Normalize(std::move(ordered));
}

bool SequenceSet::Contains(uint32_t n, uint32_t max) const {
  for (SeqRange r : ranges_) {
    if (r.lo == SeqRange::kStar) r.lo = max;
    if (r.hi == SeqRange::kStar) r.hi = max;
    if (r.lo > r.hi) std::swap(r.lo, r.hi);
    if (n != 0 && n >= r.lo && n <= r.hi) return true;
  }
  return false;
}

bool SequenceSet::HasStar() const {
  return std::any_of(ranges_.begin(), ranges_.end(), [](const SeqRange& r) {
    return r.lo == SeqRange::kStar || r.hi == SeqRange::kStar;
  });
}

std::vector<uint32_t> SequenceSet::Numbers(uint32_t max, size_t limit) const {
  std::vector<uint32_t> out;
  ForEach(max, [&](uint32_t n) {
    if (out.size() >= limit) return false;
    out.push_back(n);
    return true;
  });
  return out;
}

std::string SequenceSet::ToString() const {
  if (saved_result_) return "$";
  std::string out;
  auto number = [](uint32_t n) { return n == SeqRange::kStar ? std::string("*") : absl::StrCat(n); };
  for (const SeqRange& r : ranges_) {
    if (!out.empty()) out.push_back(',');
    out += number(r.lo);
    if (r.hi != r.lo) absl::StrAppend(&out, ":", number(r.hi));
  }
  return out;
}

std::string RenderCompact(std::vector<SeqRange> ranges) {
  for (SeqRange& r : ranges) {
    if (r.lo > r.hi) std::swap(r.lo, r.hi);
  }
  return SequenceSet::FromRanges(Normalize(std::move(ranges))).ToString();
}

std::string RenderCompact(const std::vector<uint32_t>& numbers) {
  return SequenceSet::FromNumbers(numbers).ToString();
}

}  // namespace mailroom::imap
