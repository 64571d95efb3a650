// LineReader and Connection over a scripted FakeStream: every way a line can arrive, limits,
// counted reads and the STARTTLS buffer discard. Real-socket behaviour is in server_test.cc.
#include "services/shared/net/line_reader.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/shared/net/connection.h"
#include "services/shared/net/testing/fake_stream.h"

namespace mailroom::net {
namespace {

using testing::FakeStream;
using testing::RunSync;

// What ReadLine produced, flattened for comparison: "text|CRLF", "text|LF" or the status code.
std::string Describe(const absl::StatusOr<Line>& line) {
  if (!line.ok()) return absl::StatusCodeToString(line.status().code());
  return std::string(line->text) + (line->ending == LineEnding::kCrlf ? "|CRLF" : "|LF");
}

// Reads lines until the stream fails; returns each result and then the final status.
std::vector<std::string> ReadAllLines(FakeStream& stream, const Limits& limits) {
  LineReader reader(stream, limits);
  return RunSync([&]() -> asio::awaitable<std::vector<std::string>> {
    std::vector<std::string> out;
    for (int i = 0; i < 100; ++i) {
      absl::StatusOr<Line> line = co_await reader.ReadLine();
      out.push_back(Describe(line));
      if (!line.ok() && !absl::IsResourceExhausted(line.status())) break;
    }
    co_return out;
  }());
}

std::vector<std::string> OneBytePerChunk(absl::string_view data) {
  std::vector<std::string> chunks;
  for (char c : data) chunks.emplace_back(1, c);
  return chunks;
}

TEST(NetLineReaderTest, ReadsCrlfLines) {
  FakeStream stream({"HELO a.example\r\nMAIL FROM:<x@y>\r\n\r\n"});
  EXPECT_THAT(ReadAllLines(stream, Limits{}),
              ::testing::ElementsAre("HELO a.example|CRLF", "MAIL FROM:<x@y>|CRLF", "|CRLF",
                                     "UNAVAILABLE"));
  EXPECT_EQ(stream.reads(), 2);  // one read served all three lines
}

TEST(NetLineReaderTest, LinesSplitAcrossChunks) {
  FakeStream stream({"HE", "LO a\r", "\nNO", "OP\r\nQU", "IT\r\n"});
  EXPECT_THAT(ReadAllLines(stream, Limits{}),
              ::testing::ElementsAre("HELO a|CRLF", "NOOP|CRLF", "QUIT|CRLF", "UNAVAILABLE"));
}

TEST(NetLineReaderTest, ByteByByte) {
  FakeStream stream(OneBytePerChunk("A1 NOOP\r\nbare\nA2 LOGOUT\r\n"));
  EXPECT_THAT(ReadAllLines(stream, Limits{}),
              ::testing::ElementsAre("A1 NOOP|CRLF", "bare|LF", "A2 LOGOUT|CRLF", "UNAVAILABLE"));
}

TEST(NetLineReaderTest, BareLfIsFlagged) {
  FakeStream stream({"a\nb\r\n\n"});
  EXPECT_THAT(ReadAllLines(stream, Limits{}),
              ::testing::ElementsAre("a|LF", "b|CRLF", "|LF", "UNAVAILABLE"));
}

TEST(NetLineReaderTest, StrictModeKeepsBareLfAsContent) {
  Limits limits;
  limits.accept_bare_lf = false;
  FakeStream stream({"a\nb\r\n", "\n\r", "\n"});
  EXPECT_THAT(ReadAllLines(stream, limits),
              ::testing::ElementsAre("a\nb|CRLF", "\n|CRLF", "UNAVAILABLE"));
}

TEST(NetLineReaderTest, LineOfExactlyMaxLengthIsAccepted) {
  Limits limits;
  limits.max_line_length = 10;
  limits.read_buffer_size = 0;  // smallest buffer: max_line_length + 2
  FakeStream stream(OneBytePerChunk("0123456789\r\n0123456789\n"));
  EXPECT_THAT(ReadAllLines(stream, limits),
              ::testing::ElementsAre("0123456789|CRLF", "0123456789|LF", "UNAVAILABLE"));
}

TEST(NetLineReaderTest, OverlongLineIsSkippedThenNextLineRead) {
  Limits limits;
  limits.max_line_length = 10;
  limits.read_buffer_size = 0;
  std::string long_line(1000, 'x');
  FakeStream stream({long_line.substr(0, 7), long_line.substr(7) + "\r", "\nNOOP\r\n"});
  EXPECT_THAT(ReadAllLines(stream, limits),
              ::testing::ElementsAre("RESOURCE_EXHAUSTED", "NOOP|CRLF", "UNAVAILABLE"));
}

TEST(NetLineReaderTest, OverlongLineByteByByteNeverBuffersMoreThanCapacity) {
  Limits limits;
  limits.max_line_length = 8;
  limits.read_buffer_size = 0;
  FakeStream stream(OneBytePerChunk(std::string(100, 'y') + "\r\nOK\r\n"));
  LineReader reader(stream, limits);
  EXPECT_EQ(reader.chunk_capacity(), 10u);
  EXPECT_EQ(Describe(RunSync(reader.ReadLine())), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(Describe(RunSync(reader.ReadLine())), "OK|CRLF");
}

TEST(NetLineReaderTest, OverlongLineThatFitsTheBufferIsRejected) {
  Limits limits;
  limits.max_line_length = 4;
  FakeStream stream({"12345\r\n1234\r\n"});
  EXPECT_THAT(ReadAllLines(stream, limits),
              ::testing::ElementsAre("RESOURCE_EXHAUSTED", "1234|CRLF", "UNAVAILABLE"));
}

TEST(NetLineReaderTest, StrictSkipHandlesCrLfSplitAcrossChunks) {
  Limits limits;
  limits.max_line_length = 4;
  limits.read_buffer_size = 0;
  limits.accept_bare_lf = false;
  FakeStream stream({"abcdefgh\nij\r", "\nok\r\n"});
  EXPECT_THAT(ReadAllLines(stream, limits),
              ::testing::ElementsAre("RESOURCE_EXHAUSTED", "ok|CRLF", "UNAVAILABLE"));
}

TEST(NetLineReaderTest, PeerClosingMidLineIsUnavailable) {
  FakeStream stream({"QUI"});
  EXPECT_THAT(ReadAllLines(stream, Limits{}), ::testing::ElementsAre("UNAVAILABLE"));
}

TEST(NetLineReaderTest, TimeoutIsReported) {
  FakeStream stream({"NOOP\r\n"}, absl::DeadlineExceededError("idle"));
  EXPECT_THAT(ReadAllLines(stream, Limits{}),
              ::testing::ElementsAre("NOOP|CRLF", "DEADLINE_EXCEEDED"));
}

TEST(NetLineReaderTest, ReadExactlyDeliversLargePayloadInBoundedChunks) {
  std::string payload;
  for (int i = 0; payload.size() < 1000000; ++i) payload += static_cast<char>('a' + i % 26);
  std::vector<std::string> chunks = {"A1 APPEND INBOX {1000000}\r\n" + payload.substr(0, 100)};
  for (size_t at = 100; at < payload.size(); at += 7000) chunks.push_back(payload.substr(at, 7000));
  chunks.push_back("\r\nA2 NOOP\r\n");
  FakeStream stream(chunks);
  Limits limits;
  limits.max_line_length = 1000;
  limits.read_buffer_size = 4096;
  LineReader reader(stream, limits);
  EXPECT_EQ(Describe(RunSync(reader.ReadLine())), "A1 APPEND INBOX {1000000}|CRLF");
  std::string received;
  size_t largest = 0;
  int calls = 0;
  absl::Status status = RunSync(reader.ReadExactly(payload.size(), [&](absl::string_view chunk) {
    largest = std::max(largest, chunk.size());
    ++calls;
    received.append(chunk.data(), chunk.size());
    return absl::OkStatus();
  }));
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(received, payload);
  EXPECT_LE(largest, 4096u);
  EXPECT_GT(calls, 200);
  EXPECT_EQ(Describe(RunSync(reader.ReadLine())), "|CRLF");  // the literal's closing CRLF
  EXPECT_EQ(Describe(RunSync(reader.ReadLine())), "A2 NOOP|CRLF");
}

TEST(NetLineReaderTest, ReadExactlyIntoStringUsesBufferedBytesFirst) {
  FakeStream stream({"BDAT 5 LAST\r\nhello", "RSET\r\n"});
  LineReader reader(stream, Limits{});
  EXPECT_EQ(Describe(RunSync(reader.ReadLine())), "BDAT 5 LAST|CRLF");
  std::string body;
  ASSERT_TRUE(RunSync(reader.ReadExactly(5, &body)).ok());
  EXPECT_EQ(body, "hello");
  EXPECT_EQ(Describe(RunSync(reader.ReadLine())), "RSET|CRLF");
}

TEST(NetLineReaderTest, ReadExactlyStopsOnSinkError) {
  FakeStream stream({"0123456789"});
  LineReader reader(stream, Limits{});
  absl::Status status = RunSync(reader.ReadExactly(
      10, [](absl::string_view) { return absl::ResourceExhaustedError("quota"); }));
  EXPECT_EQ(status, absl::ResourceExhaustedError("quota"));
}

TEST(NetLineReaderTest, ReadExactlyFailsWhenPeerCloses) {
  FakeStream stream({"abc"});
  LineReader reader(stream, Limits{});
  std::string out;
  EXPECT_TRUE(absl::IsUnavailable(RunSync(reader.ReadExactly(10, &out))));
  EXPECT_EQ(out, "abc");
}

TEST(NetLineReaderTest, ReadSomeReturnsBufferedBytesBoundedByMax) {
  FakeStream stream({"DATA\r\nSubject: x\r\n"});
  LineReader reader(stream, Limits{});
  EXPECT_EQ(Describe(RunSync(reader.ReadLine())), "DATA|CRLF");
  EXPECT_EQ(reader.buffered(), 12u);
  absl::StatusOr<absl::string_view> some = RunSync(reader.ReadSome(4));
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(*some, "Subj");
  some = RunSync(reader.ReadSome(100));
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(*some, "ect: x\r\n");
  EXPECT_TRUE(absl::IsUnavailable(RunSync(reader.ReadSome(100)).status()));
}

TEST(NetLineReaderTest, HasBufferedLine) {
  FakeStream stream({"A\r\nB\r\nC"});
  LineReader reader(stream, Limits{});
  EXPECT_FALSE(reader.HasBufferedLine());
  EXPECT_EQ(Describe(RunSync(reader.ReadLine())), "A|CRLF");
  EXPECT_TRUE(reader.HasBufferedLine());
  EXPECT_EQ(Describe(RunSync(reader.ReadLine())), "B|CRLF");
  EXPECT_FALSE(reader.HasBufferedLine());
  EXPECT_EQ(reader.DiscardBuffered(), 1u);
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(NetConnectionTest, StartTlsDiscardsPipelinedPlaintext) {
  auto owned =
      std::make_unique<FakeStream>(std::vector<std::string>{"STARTTLS\r\nMAIL FROM:<evil@x>\r\n"});
  FakeStream* stream = owned.get();
  Connection connection(std::move(owned), Limits{}, "sid", "submission");
  EXPECT_EQ(Describe(RunSync(connection.ReadCommandLine())), "STARTTLS|CRLF");
  stream->AddInput("EHLO after.tls\r\n");
  ASSERT_TRUE(RunSync(connection.StartTls()).ok());
  EXPECT_EQ(connection.discarded_before_tls(), 20u);
  EXPECT_TRUE(connection.IsTls());
  EXPECT_EQ(Describe(RunSync(connection.ReadCommandLine())), "EHLO after.tls|CRLF");
}

TEST(NetConnectionTest, DrainingStopsCommandReadsButNotOtherReads) {
  Connection connection(std::make_unique<FakeStream>(std::vector<std::string>{"NOOP\r\nX\r\n"}),
                        Limits{}, "sid", "imap");
  EXPECT_EQ(connection.session_id(), "sid");
  EXPECT_EQ(connection.listener_name(), "imap");
  EXPECT_TRUE(connection.IsLoopback());
  EXPECT_FALSE(connection.draining());
  connection.BeginDrain();
  EXPECT_TRUE(connection.draining());
  EXPECT_EQ(Describe(RunSync(connection.ReadCommandLine())), "CANCELLED");
  EXPECT_EQ(Describe(RunSync(connection.reader().ReadLine())), "NOOP|CRLF");
}

TEST(NetConnectionTest, WriteGoesToTheStream) {
  auto owned = std::make_unique<FakeStream>(std::vector<std::string>{});
  FakeStream* stream = owned.get();
  Connection connection(std::move(owned), Limits{}, "sid", "pop3");
  ASSERT_TRUE(RunSync(connection.Write("+OK ready\r\n")).ok());
  EXPECT_EQ(stream->output(), "+OK ready\r\n");
}

}  // namespace
}  // namespace mailroom::net
