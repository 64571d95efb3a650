#include "services/store/domain/address.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/shared/status/status_matchers.h"

namespace mailroom::store {
namespace {

using ::mailroom::testing::StatusIs;

TEST(ParseAddress, Canonicalises) {
  struct Case {
    std::string in, canonical, base, tag;
  } cases[] = {
      {"Bob@Example.TEST", "bob@example.test", "bob", ""},
      {"bob+Lists@example.test.", "bob+lists@example.test", "bob", "Lists"},
      {"\"bob\"@example.test", "bob@example.test", "bob", ""},
      {"first.last@sub.example.test", "first.last@sub.example.test", "first.last", ""},
      {"j\xc3\xb6rg@example.test", "j\xc3\xb6rg@example.test", "j\xc3\xb6rg", ""},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ParsedAddress> a = ParseAddress(c.in);
    ASSERT_TRUE(a.ok()) << c.in << ": " << a.status();
    EXPECT_EQ(a->Canonical(), c.canonical);
    EXPECT_EQ(a->base, c.base);
    EXPECT_EQ(a->tag, c.tag);
  }
}

// The classic relay tricks (RFC 5321 §3.6, Appendix C) are never one local address.
TEST(ParseAddress, RefusesRelayTricksAndJunk) {
  const std::string bad[] = {
      "user%remote@example.test", "user@remote@example.test", "\"user@remote\"@example.test",
      "@example.test:user@remote", "user!remote@example.test", "noat", "@example.test",
      "user@", "user@-bad.test", "user@bad..test", ".user@example.test", "us..er@example.test",
      "user@exa_mple.test", std::string(65, 'a') + "@example.test", "a b@example.test",
      "+tag@example.test",
  };
  for (const std::string& s : bad) {
    EXPECT_THAT(ParseAddress(s), StatusIs(absl::StatusCode::kInvalidArgument)) << s;
  }
}

}  // namespace
}  // namespace mailroom::store
