// The RETR/TOP wire encoding: CRLF whatever the stored line endings, byte-stuffing, TOP line
// counts, and the same output however the message is split into chunks.
#include "services/pop3/protocol/message_encoder.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace mailroom::pop3 {
namespace {

struct Case {
  std::string name;
  std::string message;
  std::optional<uint64_t> lines;
  std::string want;
};

const std::vector<Case>& Cases() {
  static const auto* cases = new std::vector<Case>{
      {"crlf", "A: 1\r\n\r\nbody\r\n", std::nullopt, "A: 1\r\n\r\nbody\r\n.\r\n"},
      {"bare_lf", "A: 1\n\nbody\nmore\n", std::nullopt, "A: 1\r\n\r\nbody\r\nmore\r\n.\r\n"},
      {"bare_cr", "A: 1\r\rbody\r", std::nullopt, "A: 1\r\n\r\nbody\r\n.\r\n"},
      {"mixed", "A: 1\r\n\nx\ry\r\n", std::nullopt, "A: 1\r\n\r\nx\r\ny\r\n.\r\n"},
      {"no_final_newline", "A: 1\r\n\r\nlast", std::nullopt, "A: 1\r\n\r\nlast\r\n.\r\n"},
      {"empty", "", std::nullopt, ".\r\n"},
      {"dots", ".\r\n..x\r\nx.\r\n.", std::nullopt, "..\r\n...x\r\nx.\r\n..\r\n.\r\n"},
      {"dot_after_lf", "A: 1\n\n.\n", std::nullopt, "A: 1\r\n\r\n..\r\n.\r\n"},
      {"top0", "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n", 0, "A: 1\r\nB: 2\r\n\r\n.\r\n"},
      {"top1", "A: 1\r\n\r\nl1\r\nl2\r\n", 1, "A: 1\r\n\r\nl1\r\n.\r\n"},
      {"top_more_than_body", "A: 1\r\n\r\nl1\r\nl2", 10, "A: 1\r\n\r\nl1\r\nl2\r\n.\r\n"},
      {"top_no_body", "A: 1\r\nB: 2\r\n", 0, "A: 1\r\nB: 2\r\n.\r\n"},
      {"top_lf", "A: 1\n\n.l1\nl2\n", 1, "A: 1\r\n\r\n..l1\r\n.\r\n"},
      {"top_blank_body_lines", "A: 1\r\n\r\n\r\n\r\nx\r\n", 2, "A: 1\r\n\r\n\r\n\r\n.\r\n"},
  };
  return *cases;
}

TEST(Pop3MessageEncoderTest, Whole) {
  for (const Case& c : Cases()) {
    EXPECT_EQ(EncodeMessage(c.message, c.lines), c.want) << c.name;
  }
}

TEST(Pop3MessageEncoderTest, AnyChunkingGivesTheSameBytes) {
  for (const Case& c : Cases()) {
    for (size_t step = 1; step <= 4; ++step) {
      MessageEncoder encoder(c.lines);
      std::string out;
      for (size_t i = 0; i < c.message.size(); i += step) {
        encoder.Append(absl::string_view(c.message).substr(i, step), &out);
      }
      encoder.Finish(&out);
      EXPECT_EQ(out, c.want) << c.name << " step " << step;
    }
  }
}

TEST(Pop3MessageEncoderTest, TopIsDoneEarly) {
  MessageEncoder encoder(1);
  std::string out;
  encoder.Append("A: 1\r\n\r\nl1\r\n", &out);
  EXPECT_TRUE(encoder.done());
  encoder.Append("ignored\r\n", &out);
  encoder.Finish(&out);
  EXPECT_EQ(out, "A: 1\r\n\r\nl1\r\n.\r\n");
}

TEST(Pop3MessageEncoderTest, RetrIsNeverDone) {
  MessageEncoder encoder;
  std::string out;
  encoder.Append("A: 1\r\n\r\nl1\r\n", &out);
  EXPECT_FALSE(encoder.done());
}

}  // namespace
}  // namespace mailroom::pop3
