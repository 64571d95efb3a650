// Parse() and the text functions on garbage and mutated messages: no crash, invariants hold,
// bounded time on pathological shapes.
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>

#include "gtest/gtest.h"
#include "services/mime/message.h"
#include "services/mime/test_util.h"
#include "services/mime/text.h"

namespace mailroom::mime {
namespace {

using testing::AllCases;
using testing::CheckInvariants;

void ExerciseAll(std::string_view raw, const Limits& limits) {
  Message msg = Parse(raw, limits);
  ASSERT_EQ(CheckInvariants(msg, raw, limits), "") << ::testing::PrintToString(raw);
  for (const std::vector<uint32_t>& path : std::vector<std::vector<uint32_t>>{
           {}, {1}, {2}, {1, 1}, {1, 2}, {2, 1}, {1, 1, 1}, {3, 1, 2}}) {
    if (const Part* p = FindPart(msg, path)) {
      ASSERT_LE(p->body_offset + p->body_size, raw.size());
    }
  }
  std::string text = BodyText(msg, raw, 4096);
  ASSERT_LE(text.size(), 4096u);
  std::string preview = Preview(msg, raw, 50);
  ASSERT_LE(preview.size(), 50u * 4);
}

Limits SmallLimits() {
  Limits limits;
  limits.max_depth = 4;
  limits.max_parts = 20;
  limits.max_header_fields = 8;
  limits.max_header_bytes = 256;
  return limits;
}

TEST(RobustnessTest, RandomBytes) {
  std::mt19937 rng(20240601);
  const std::string alphabet = "-\r\n:;=\"<>()@,. \tab=?Content-Type multipart/mixed boundary";
  for (int i = 0; i < 2000; ++i) {
    std::string raw(rng() % 600, '\0');
    bool biased = i % 2 == 0;
    for (char& c : raw) {
      c = biased ? alphabet[rng() % alphabet.size()] : static_cast<char>(rng());
    }
    ExerciseAll(raw, i % 3 == 0 ? SmallLimits() : Limits{});
  }
}

TEST(RobustnessTest, MutatedCases) {
  std::mt19937 rng(7);
  for (const testing::MessageCase& c : AllCases()) {
    for (int i = 0; i < 200; ++i) {
      std::string raw = c.raw;
      int edits = 1 + static_cast<int>(rng() % 8);
      for (int e = 0; e < edits && !raw.empty(); ++e) {
        size_t pos = rng() % raw.size();
        switch (rng() % 4) {
          case 0:
            raw[pos] = static_cast<char>(rng());
            break;
          case 1:
            raw.erase(pos, 1 + rng() % 16);
            break;
          case 2:
            raw.insert(pos, raw.substr(rng() % raw.size(), rng() % 64));
            break;
          default:
            raw.insert(pos, "\r\n--");
            break;
        }
      }
      ExerciseAll(raw, i % 2 == 0 ? SmallLimits() : Limits{});
    }
  }
}

TEST(RobustnessTest, EveryPrefixOfEveryCase) {
  // What a byte-at-a-time reader would see at each step.
  for (const testing::MessageCase& c : AllCases()) {
    for (size_t n = 0; n <= c.raw.size(); ++n)
      ExerciseAll(std::string_view(c.raw).substr(0, n), Limits{});
  }
}

double SecondsToParse(const std::string& raw) {
  auto start = std::chrono::steady_clock::now();
  Message msg = Parse(raw);
  BodyText(msg, raw);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(RobustnessTest, PathologicalShapesStayLinear) {
  const size_t n = 2 << 20;
  std::vector<std::string> inputs = {
      "Content-Type: multipart/mixed; boundary=" + std::string(1000, 'b') + "\r\n\r\n" +
          std::string(n, '\n'),
      "To: " + std::string(n / 2, '<') + "\r\n\r\n",
      "To: " + std::string(n / 2, '(') + "\r\n\r\n",
      "Subject: " + std::string(n / 4, '=') + std::string(n / 4, '?') + "\r\n\r\n",
      "Content-Type: text/plain" + std::string(n / 8, ';') + "\r\n\r\n",
      "Content-Type: text/html\r\n\r\n" + std::string(n / 2, '<') + std::string(n / 2, '&'),
      std::string(n, ':'),
  };
  std::string many_params = "Content-Type: text/plain";
  for (int i = 0; i < 20000; ++i) many_params += "; name*" + std::to_string(i) + "*=%41";
  inputs.push_back(many_params + "\r\n\r\n");
  for (size_t i = 0; i < inputs.size(); ++i) EXPECT_LT(SecondsToParse(inputs[i]), 2.0) << i;
}

// Maintenance: with MAILROOM_MIME_WRITE_CORPUS=<dir> (fuzz/mime/corpus) this writes the
// message cases and generated shapes there as the fuzzer's seed corpus; otherwise a no-op.
TEST(CorpusTest, WriteSeedCorpusOnRequest) {
  const char* dir = std::getenv("MAILROOM_MIME_WRITE_CORPUS");
  if (dir == nullptr) return;
  std::vector<std::pair<std::string, std::string>> files;
  for (const testing::MessageCase& c : AllCases()) files.emplace_back(c.name + ".eml", c.raw);
  files.emplace_back("deep_nesting.eml", testing::DeeplyNestedMessage(40));
  files.emplace_back("many_parts.eml", testing::ManyPartsMessage(2100));
  for (const auto& [name, raw] : files) {
    std::ofstream out(std::string(dir) + "/" + name, std::ios::binary);
    out << raw;
    ASSERT_TRUE(out.good()) << name;
  }
}

}  // namespace
}  // namespace mailroom::mime
