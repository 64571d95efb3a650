// ParseProxyHeader: table-driven v1 and v2 headers (raw octets → header or status code), the
// same inputs fed one octet at a time, and the "never read past the header" promise.
#include "services/shared/net/proxy_protocol.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/shared/status/status_matchers.h"

namespace mailroom::net {
namespace {

using ::mailroom::testing::StatusIs;

const std::string kV2Sig("\r\n\r\n\0\r\nQUIT\n", 12);

// A v2 header: signature, version/command, family/transport, length, then `payload`.
std::string V2(unsigned char ver_cmd, unsigned char family, const std::string& payload) {
  std::string h = kV2Sig;
  h.push_back(static_cast<char>(ver_cmd));
  h.push_back(static_cast<char>(family));
  h.push_back(static_cast<char>(payload.size() >> 8));
  h.push_back(static_cast<char>(payload.size() & 0xff));
  return h + payload;
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

// 192.0.2.1:56324 -> 198.51.100.2:25
const std::string kInet = Bytes({192, 0, 2, 1, 198, 51, 100, 2, 0xdc, 0x04, 0x00, 25});
// 2001:db8::1:443 -> 2001:db8::2:993, then a TLV (PP2_TYPE_AUTHORITY "mx")
const std::string kInet6 =
    Bytes({0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,    0,   0,  0, 0, 0, 0, 0, 0, 1,  //
           0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,    0,   0,  0, 0, 0, 0, 0, 0, 2,  //
           0x01, 0xbb, 0x03, 0xe1, 0x02, 0x00, 0x02, 'm', 'x'});
// ::ffff:203.0.113.7:1 -> ::ffff:10.0.0.1:143
const std::string kMapped = Bytes({0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0xff, 0xff, 203, 0, 113, 7,  //
                                   0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0xff, 0xff, 10,  0, 0,   1,  //
                                   0, 1, 0, 143});

struct Valid {
  std::string name;
  std::string input;  // exactly one header
  int version;
  bool has_addresses;
  std::string source;
  uint16_t source_port;
  std::string destination;
  uint16_t destination_port;
};

std::vector<Valid> ValidCases() {
  return {
      {"v1_tcp4", "PROXY TCP4 192.0.2.1 198.51.100.2 56324 25\r\n", 1, true, "192.0.2.1", 56324,
       "198.51.100.2", 25},
      {"v1_tcp6", "PROXY TCP6 2001:db8::1 2001:db8:0:0::2 443 993\r\n", 1, true, "2001:db8::1", 443,
       "2001:db8::2", 993},
      {"v1_tcp6_mapped", "PROXY TCP6 ::ffff:203.0.113.7 ::1 65535 0\r\n", 1, true, "203.0.113.7",
       65535, "::1", 0},
      {"v1_unknown", "PROXY UNKNOWN\r\n", 1, false, "", 0, "", 0},
      {"v1_107_octets", "PROXY UNKNOWN " + std::string(91, 'a') + "\r\n", 1, false, "", 0, "", 0},
      {"v1_unknown_with_rest", "PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n", 1, false, "", 0, "", 0},
      {"v1_longest",
       "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
       "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n",
       1, true, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535,
       "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535},
      {"v2_inet", V2(0x21, 0x11, kInet), 2, true, "192.0.2.1", 56324, "198.51.100.2", 25},
      {"v2_inet6_tlv", V2(0x21, 0x21, kInet6), 2, true, "2001:db8::1", 443, "2001:db8::2", 993},
      {"v2_mapped", V2(0x21, 0x21, kMapped), 2, true, "203.0.113.7", 1, "10.0.0.1", 143},
      {"v2_local", V2(0x20, 0x00, ""), 2, false, "", 0, "", 0},
      {"v2_local_ignores_payload", V2(0x20, 0x11, kInet), 2, false, "", 0, "", 0},
      {"v2_unspec", V2(0x21, 0x00, "xyz"), 2, false, "", 0, "", 0},
      {"v2_unix", V2(0x21, 0x31, std::string(216, 'u')), 2, false, "", 0, "", 0},
  };
}

struct Invalid {
  std::string name;
  std::string input;
  absl::StatusCode code;
};

std::vector<Invalid> InvalidCases() {
  using absl::StatusCode;
  return {
      {"smtp_command", "EHLO client.example\r\n", StatusCode::kInvalidArgument},
      {"tls_client_hello", Bytes({0x16, 0x03, 0x01, 0x02, 0x00}), StatusCode::kInvalidArgument},
      {"lower_case", "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", StatusCode::kInvalidArgument},
      {"v1_tcp4_with_v6", "PROXY TCP4 ::1 ::1 1 2\r\n", StatusCode::kInvalidArgument},
      {"v1_tcp6_bad", "PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", StatusCode::kInvalidArgument},
      {"v1_udp", "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", StatusCode::kInvalidArgument},
      {"v1_short_address", "PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n", StatusCode::kInvalidArgument},
      {"v1_port_range", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", StatusCode::kInvalidArgument},
      {"v1_port_leading_zero", "PROXY TCP4 1.2.3.4 5.6.7.8 025 2\r\n",
       StatusCode::kInvalidArgument},
      {"v1_port_sign", "PROXY TCP4 1.2.3.4 5.6.7.8 +25 2\r\n", StatusCode::kInvalidArgument},
      {"v1_missing_field", "PROXY TCP4 1.2.3.4 5.6.7.8 25\r\n", StatusCode::kInvalidArgument},
      {"v1_extra_field", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", StatusCode::kInvalidArgument},
      {"v1_double_space", "PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n", StatusCode::kInvalidArgument},
      {"v1_bare_lf", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", StatusCode::kInvalidArgument},
      {"v1_cr_not_lf", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX", StatusCode::kInvalidArgument},
      {"v1_nul", std::string("PROXY TCP4\0", 11), StatusCode::kInvalidArgument},
      {"v1_too_long", "PROXY UNKNOWN " + std::string(200, 'a') + "\r\n",
       StatusCode::kInvalidArgument},
      {"v1_108_octets", "PROXY UNKNOWN " + std::string(92, 'a') + "\r\n",
       StatusCode::kInvalidArgument},
      {"v2_version_1", V2(0x11, 0x11, kInet), StatusCode::kInvalidArgument},
      {"v2_command_2", V2(0x22, 0x11, kInet), StatusCode::kInvalidArgument},
      {"v2_inet_short", V2(0x21, 0x11, kInet.substr(0, 11)), StatusCode::kInvalidArgument},
      {"v2_inet6_short", V2(0x21, 0x21, kInet.substr(0, 12)), StatusCode::kInvalidArgument},
      {"v2_unix_short", V2(0x21, 0x31, std::string(100, 'u')), StatusCode::kInvalidArgument},
      {"v2_datagram", V2(0x21, 0x12, kInet), StatusCode::kInvalidArgument},
      {"v2_family_4", V2(0x21, 0x41, kInet), StatusCode::kInvalidArgument},
      {"v2_too_long", V2(0x21, 0x11, kInet + std::string(3000, 't')),
       StatusCode::kResourceExhausted},
  };
}

TEST(ProxyProtocolTest, ParsesValidHeaders) {
  for (const Valid& c : ValidCases()) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<ProxyParse> r = ParseProxyHeader(c.input);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE(r->header.has_value());
    EXPECT_EQ(r->consumed, c.input.size());
    EXPECT_EQ(r->header->version, c.version);
    EXPECT_EQ(r->header->has_addresses, c.has_addresses);
    EXPECT_EQ(r->header->source_address, c.source);
    EXPECT_EQ(r->header->source_port, c.source_port);
    EXPECT_EQ(r->header->destination_address, c.destination);
    EXPECT_EQ(r->header->destination_port, c.destination_port);
  }
}

TEST(ProxyProtocolTest, LeavesTheFollowingOctetsAlone) {
  for (const Valid& c : ValidCases()) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<ProxyParse> r = ParseProxyHeader(c.input + "EHLO x\r\n\x16\x03");
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE(r->header.has_value());
    EXPECT_EQ(r->consumed, c.input.size());
  }
}

TEST(ProxyProtocolTest, RejectsInvalidHeaders) {
  for (const Invalid& c : InvalidCases()) {
    SCOPED_TRACE(c.name);
    EXPECT_THAT(ParseProxyHeader(c.input), StatusIs(c.code));
  }
}

// Feeds each valid header one octet at a time: every prefix asks for more, never for more
// than the header still holds, and the full header parses as it does in one piece.
TEST(ProxyProtocolTest, ValidHeadersOctetByOctet) {
  for (const Valid& c : ValidCases()) {
    SCOPED_TRACE(c.name);
    for (size_t i = 0; i < c.input.size(); ++i) {
      absl::StatusOr<ProxyParse> r = ParseProxyHeader(c.input.substr(0, i));
      ASSERT_TRUE(r.ok()) << "prefix " << i << ": " << r.status();
      ASSERT_FALSE(r->header.has_value()) << "prefix " << i;
      ASSERT_GT(r->need_more, 0u);
      ASSERT_LE(i + r->need_more, c.input.size()) << "prefix " << i << " over-reads";
    }
    absl::StatusOr<ProxyParse> r = ParseProxyHeader(c.input);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->header.has_value());
  }
}

// The same, reading exactly what the parser asks for each time, as Server does.
TEST(ProxyProtocolTest, ReaderThatReadsNeedMoreStopsAtTheHeaderEnd) {
  for (const Valid& c : ValidCases()) {
    SCOPED_TRACE(c.name);
    const std::string wire = c.input + "A1 LOGIN";
    std::string got;
    for (int step = 0; step < 200; ++step) {
      absl::StatusOr<ProxyParse> r = ParseProxyHeader(got);
      ASSERT_TRUE(r.ok()) << r.status();
      if (r->header.has_value()) break;
      got += wire.substr(got.size(), r->need_more);
    }
    EXPECT_EQ(got, c.input);
  }
}

// Invalid input fails at some prefix, never later than the whole input, and no prefix is
// accepted as a header; the failure code is the same as for the whole input.
TEST(ProxyProtocolTest, InvalidHeadersOctetByOctet) {
  for (const Invalid& c : InvalidCases()) {
    SCOPED_TRACE(c.name);
    bool failed = false;
    for (size_t i = 0; i <= c.input.size() && !failed; ++i) {
      absl::StatusOr<ProxyParse> r = ParseProxyHeader(c.input.substr(0, i));
      if (!r.ok()) {
        EXPECT_EQ(r.status().code(), c.code) << "prefix " << i << ": " << r.status();
        failed = true;
      } else {
        ASSERT_FALSE(r->header.has_value()) << "prefix " << i << " accepted";
      }
    }
    EXPECT_TRUE(failed);
  }
}

TEST(ProxyProtocolTest, EmptyInputAsksForTheShortestHeader) {
  absl::StatusOr<ProxyParse> r = ParseProxyHeader("");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->need_more, kProxyMinLength);
  EXPECT_EQ(std::string("PROXY UNKNOWN\r\n").size(), kProxyMinLength);
}

TEST(ProxyProtocolTest, V2PayloadLimitIsConfigurable) {
  ProxyLimits small;
  small.max_v2_payload = 11;
  EXPECT_THAT(ParseProxyHeader(V2(0x21, 0x11, kInet), small),
              StatusIs(absl::StatusCode::kResourceExhausted));
  // Refused as soon as the fixed part announces the length, before the payload arrives.
  EXPECT_THAT(ParseProxyHeader(V2(0x21, 0x11, kInet).substr(0, 16), small),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

}  // namespace
}  // namespace mailroom::net
