#include "services/store/domain/flags.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/shared/status/status_matchers.h"

namespace mailroom::store {
namespace {

using ::mailroom::testing::IsOk;
using ::mailroom::testing::StatusIs;
using ::testing::UnorderedElementsAre;

v1::Flags F(uint32_t system, std::vector<std::string> keywords) {
  v1::Flags f;
  f.set_system(system);
  for (auto& k : keywords) f.add_keywords(k);
  return f;
}

TEST(ApplyFlags, AddRemoveReplace) {
  const v1::Flags cur = F(v1::SYSTEM_FLAG_SEEN, {"$Forwarded"});
  v1::Flags added = ApplyFlags(cur, v1::StoreFlagsRequest::MODE_ADD,
                               F(v1::SYSTEM_FLAG_FLAGGED, {"$forwarded", "Work"}));
  EXPECT_EQ(added.system(), v1::SYSTEM_FLAG_SEEN | v1::SYSTEM_FLAG_FLAGGED);
  EXPECT_THAT(added.keywords(), UnorderedElementsAre("$Forwarded", "Work"));

  v1::Flags removed = ApplyFlags(added, v1::StoreFlagsRequest::MODE_REMOVE,
                                 F(v1::SYSTEM_FLAG_SEEN, {"WORK"}));
  EXPECT_EQ(removed.system(), static_cast<uint32_t>(v1::SYSTEM_FLAG_FLAGGED));
  EXPECT_THAT(removed.keywords(), UnorderedElementsAre("$Forwarded"));

  v1::Flags replaced = ApplyFlags(removed, v1::StoreFlagsRequest::MODE_REPLACE,
                                  F(v1::SYSTEM_FLAG_DELETED, {}));
  EXPECT_EQ(replaced.system(), static_cast<uint32_t>(v1::SYSTEM_FLAG_DELETED));
  EXPECT_TRUE(replaced.keywords().empty());
  EXPECT_TRUE(SameFlags(F(1, {"a", "B"}), F(1, {"b", "A"})));
  EXPECT_FALSE(SameFlags(F(1, {"a"}), F(3, {"a"})));
}

TEST(ValidateFlags, RejectsNonAtoms) {
  EXPECT_THAT(ValidateFlags(F(v1::SYSTEM_FLAG_DRAFT, {"$Junk", "x.y"})), IsOk());
  EXPECT_THAT(ValidateFlags(F(0x40, {})), StatusIs(absl::StatusCode::kInvalidArgument));
  for (std::string bad : {"", "a b", "\\Seen", "a(b", "x]"}) {
    EXPECT_THAT(ValidateFlags(F(0, {bad})), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

}  // namespace
}  // namespace mailroom::store
