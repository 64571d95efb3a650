// The selected-mailbox view: sequence numbers and UIDs, Watch events, and when EXPUNGE /
// EXISTS / FETCH may be announced.
#include "services/imap/session/mailbox_view.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mailroom::imap {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;

v1::SelectMailboxResponse Selected(std::vector<uint32_t> uids) {
  v1::SelectMailboxResponse r;
  r.mutable_mailbox()->set_mailbox_id(7);
  r.mutable_status()->set_uidvalidity(99);
  r.mutable_status()->set_uidnext(uids.empty() ? 1 : uids.back() + 1);
  r.mutable_status()->set_highestmodseq(10);
  for (uint32_t uid : uids) r.add_messages()->set_uid(uid);
  return r;
}

v1::ChangeEvent Event(v1::ChangeEvent::Kind kind, std::vector<uint32_t> uids) {
  v1::ChangeEvent e;
  e.set_kind(kind);
  for (uint32_t uid : uids) e.add_uids(uid);
  return e;
}

SequenceSet Set(const char* text) { return *SequenceSet::Parse(text); }

TEST(MailboxViewTest, MapsSequenceNumbersAndUids) {
  MailboxView view;
  view.Load(Selected({3, 5, 9}));
  EXPECT_EQ(view.exists(), 3u);
  EXPECT_EQ(view.UidAt(2), 5u);
  EXPECT_EQ(view.UidAt(4), 0u);
  EXPECT_EQ(view.SeqOf(9), 3u);
  EXPECT_EQ(view.SeqOf(4), 0u);
  EXPECT_THAT(view.UidsForSequences(Set("2:*")), Optional(ElementsAre(5, 9)));
  EXPECT_EQ(view.UidsForSequences(Set("4")), std::nullopt);
  EXPECT_THAT(view.UidsForUidSet(Set("4:100")), ElementsAre(5, 9));
  // RFC 9051 §6.4.9: n:* includes the highest UID even when n is larger.
  EXPECT_THAT(view.UidsForUidSet(Set("50:*")), ElementsAre(9));
  v1::UidSet set = view.ToUidSet({3, 5, 9});
  ASSERT_EQ(set.ranges_size(), 1);
  EXPECT_EQ(set.ranges(0).first(), 3u);
  EXPECT_EQ(set.ranges(0).last(), 9u);
  set = view.ToUidSet({3, 9});
  EXPECT_EQ(set.ranges_size(), 2);
}

TEST(MailboxViewTest, EmptyMailboxRejectsSequenceNumbers) {
  MailboxView view;
  view.Load(Selected({}));
  EXPECT_EQ(view.UidsForSequences(Set("1:*")), std::nullopt);
  EXPECT_TRUE(view.UidsForUidSet(Set("1:*")).empty());
}

TEST(MailboxViewTest, ExpungesWaitUntilTaken) {
  MailboxView view;
  view.Load(Selected({1, 2, 3, 4}));
  view.OnEvent(Event(v1::ChangeEvent::KIND_MESSAGES_EXPUNGED, {2, 4, 77}));
  // Until announced, the client's numbering is unchanged (RFC 9051 §7.5.1).
  EXPECT_EQ(view.exists(), 4u);
  EXPECT_EQ(view.SeqOf(4), 4u);
  EXPECT_TRUE(view.IsExpungePending(2));
  EXPECT_EQ(view.TakeExists(), std::nullopt);
  EXPECT_THAT(view.TakeExpunges(), ElementsAre(4, 2));
  EXPECT_EQ(view.exists(), 2u);
  EXPECT_EQ(view.SeqOf(3), 2u);
  EXPECT_EQ(view.TakeExists(), std::nullopt);  // EXPUNGE responses already told the count
}

TEST(MailboxViewTest, NewMessagesAndExists) {
  MailboxView view;
  view.Load(Selected({1, 2}));
  view.OnEvent(Event(v1::ChangeEvent::KIND_MESSAGE_ADDED, {3}));
  EXPECT_TRUE(view.new_pending());
  v1::Flags none;
  EXPECT_TRUE(view.AddMessage(3, none));
  EXPECT_FALSE(view.AddMessage(3, none));
  EXPECT_FALSE(view.AddMessage(2, none));
  EXPECT_EQ(view.uidnext(), 4u);
  EXPECT_THAT(view.TakeExists(), Optional(3u));
  EXPECT_EQ(view.TakeExists(), std::nullopt);
}

TEST(MailboxViewTest, OwnAppendIsAddedWhenNothingCameInBetween) {
  MailboxView view;
  view.Load(Selected({1, 2}));  // UIDNEXT 3
  v1::Flags seen;
  seen.set_system(v1::SYSTEM_FLAG_SEEN);
  // Its own event may come before or after the APPEND's answer: nothing to fetch either way.
  view.OnEvent(Event(v1::ChangeEvent::KIND_MESSAGE_ADDED, {3}));
  ASSERT_TRUE(view.AddOwnAppended({3, 4}, {seen, v1::Flags()}));
  view.OnEvent(Event(v1::ChangeEvent::KIND_MESSAGE_ADDED, {4}));
  EXPECT_FALSE(view.new_pending());
  EXPECT_EQ(view.uidnext(), 5u);
  ASSERT_NE(view.FlagsOf(3), nullptr);
  EXPECT_EQ(view.FlagsOf(3)->system(), v1::SYSTEM_FLAG_SEEN);
  EXPECT_THAT(view.TakeExists(), Optional(4u));
  // Another session's message (UID 5, event not here yet) lies before this APPEND's UID 6:
  // the view cannot tell, so it adds nothing and the session fetches.
  EXPECT_FALSE(view.AddOwnAppended({6}, {v1::Flags()}));
  EXPECT_EQ(view.exists(), 4u);
  // Not consecutive, or flags missing: refused too.
  EXPECT_FALSE(view.AddOwnAppended({5, 7}, {v1::Flags(), v1::Flags()}));
  EXPECT_FALSE(view.AddOwnAppended({5}, {}));
  // Expunged by someone else before the APPEND's answer came: never shown.
  view.OnEvent(Event(v1::ChangeEvent::KIND_MESSAGES_EXPUNGED, {5}));
  EXPECT_TRUE(view.AddOwnAppended({5}, {v1::Flags()}));
  EXPECT_EQ(view.SeqOf(5), 0u);
  EXPECT_EQ(view.uidnext(), 6u);
  // Another session changed the flags of this session's next APPEND before its answer came:
  // the flags the APPEND sent are out of date, and are fetched.
  v1::ChangeEvent flagged = Event(v1::ChangeEvent::KIND_FLAGS_CHANGED, {6});
  flagged.set_modseq(40);
  view.OnEvent(flagged);
  ASSERT_TRUE(view.AddOwnAppended({6}, {v1::Flags()}));
  EXPECT_THAT(view.TakeFlagsPending(), ElementsAre(6u));
  // The highest message expunged by this session: nothing new to fetch afterwards.
  view.NoteExpunged({4, 6});
  view.TakeExpunges();
  EXPECT_EQ(view.max_uid(), 3u);
  EXPECT_FALSE(view.new_pending());
}

TEST(MailboxViewTest, ExistsCountsUnannouncedExpunges) {
  MailboxView view;
  view.Load(Selected({1, 2}));
  view.OnEvent(Event(v1::ChangeEvent::KIND_MESSAGES_EXPUNGED, {1}));
  view.AddMessage(5, v1::Flags());
  // During FETCH no EXPUNGE may go out, so EXISTS still counts message 1.
  EXPECT_THAT(view.TakeExists(), Optional(3u));
  EXPECT_THAT(view.TakeExpunges(), ElementsAre(1));
  EXPECT_EQ(view.TakeExists(), std::nullopt);
  EXPECT_EQ(view.SeqOf(5), 2u);
}

TEST(MailboxViewTest, FlagChangesAreReportedOnce) {
  MailboxView view;
  view.Load(Selected({1, 2}));
  view.OnEvent(Event(v1::ChangeEvent::KIND_FLAGS_CHANGED, {2, 9}));
  EXPECT_TRUE(view.new_pending());  // 9 is above every known UID
  EXPECT_THAT(view.TakeFlagsPending(), ElementsAre(2));
  v1::Flags seen;
  seen.set_system(v1::SYSTEM_FLAG_SEEN);
  EXPECT_EQ(view.UpdateFlags(2, seen), 2u);
  EXPECT_EQ(view.UpdateFlags(2, seen), 0u);  // already known: nothing to say
  EXPECT_EQ(view.UpdateFlags(42, seen), 0u);
}

// Found by tests/integration/imap/replica_consistency_test.py: a message learnt and then
// changed or expunged before its EXISTS went out must not get a sequence number the client
// has never heard of ("* 5 FETCH" after "* 0 EXISTS", "* 73 EXPUNGE" after "* 72 EXISTS").
TEST(MailboxViewTest, UnannouncedMessagesHaveNoClientSequenceNumber) {
  MailboxView view;
  view.Load(Selected({1, 2}));
  v1::Flags seen;
  seen.set_system(v1::SYSTEM_FLAG_SEEN);
  ASSERT_TRUE(view.AddMessage(3, v1::Flags()));
  EXPECT_EQ(view.UpdateFlags(3, seen), 0u);  // cached, but nothing to tell yet
  EXPECT_THAT(view.TakeExists(), Optional(3u));
  EXPECT_EQ(view.UpdateFlags(3, v1::Flags()), 3u);

  ASSERT_TRUE(view.AddMessage(4, v1::Flags()));
  view.NoteExpunged({2, 4});
  EXPECT_THAT(view.TakeExpunges(), ElementsAre(2));  // 4 was never announced
  EXPECT_EQ(view.TakeExists(), std::nullopt);       // the client counts 2, as the view
  EXPECT_EQ(view.exists(), 2u);
  EXPECT_EQ(view.SeqOf(3), 2u);
}

// Found by the replica consistency test: a message fetched as new while its expunge event
// arrived (another session appended and expunged it) stayed in the view for good.
TEST(MailboxViewTest, ExpungeEventBeforeTheMessageIsLearnt) {
  MailboxView view;
  view.Load(Selected({1, 2}));
  view.OnEvent(Event(v1::ChangeEvent::KIND_MESSAGE_ADDED, {3}));
  view.OnEvent(Event(v1::ChangeEvent::KIND_MESSAGES_EXPUNGED, {3}));
  EXPECT_FALSE(view.AddMessage(3, v1::Flags()));  // the in-flight fetch still returned it
  EXPECT_TRUE(view.AddMessage(4, v1::Flags()));
  EXPECT_EQ(view.exists(), 3u);
  EXPECT_EQ(view.SeqOf(4), 3u);
  EXPECT_EQ(view.uidnext(), 5u);
}

// The Watch echo of the session's own APPEND (already fetched) and STORE (already cached)
// costs no store call, whether it comes before or after the command's answer; another
// session's change still does.
TEST(MailboxViewTest, OwnChangesAreNotFetchedAgain) {
  MailboxView view;
  view.Load(Selected({1, 2}));
  // APPEND of 3: its event may come while the fetch of new messages is in flight.
  view.NoteNewMessages();
  const uint32_t announced = view.ClearNewPending();
  view.OnEvent(Event(v1::ChangeEvent::KIND_MESSAGE_ADDED, {3}));
  ASSERT_TRUE(view.AddMessage(3, v1::Flags()));
  view.NewMessagesFetched(announced);
  EXPECT_FALSE(view.new_pending());
  view.OnEvent(Event(v1::ChangeEvent::KIND_MESSAGE_ADDED, {3}));  // or after it
  EXPECT_FALSE(view.new_pending());
  view.OnEvent(Event(v1::ChangeEvent::KIND_MESSAGE_ADDED, {4}));
  EXPECT_TRUE(view.new_pending());
  // 4 was expunged before the fetch ran: a successful fetch settles it all the same.
  const uint32_t announced4 = view.ClearNewPending();
  view.NewMessagesFetched(announced4);
  EXPECT_FALSE(view.new_pending());

  // STORE at MODSEQ 12, its event after the answer ...
  view.NoteOwnChange(12, {2});
  v1::ChangeEvent own = Event(v1::ChangeEvent::KIND_FLAGS_CHANGED, {2});
  own.set_modseq(12);
  view.OnEvent(own);
  EXPECT_TRUE(view.TakeFlagsPending().empty());
  view.OnEvent(own);  // the same MODSEQ again is not ours any more
  EXPECT_THAT(view.TakeFlagsPending(), ElementsAre(2));
  // ... and at MODSEQ 15, its event before the answer.
  own.set_modseq(15);
  view.OnEvent(own);
  view.NoteOwnChange(15, {2});
  EXPECT_TRUE(view.TakeFlagsPending().empty());
  // Another session's later change of the same message stays pending.
  v1::ChangeEvent other = Event(v1::ChangeEvent::KIND_FLAGS_CHANGED, {1, 2});
  other.set_modseq(17);
  view.OnEvent(other);
  view.NoteOwnChange(16, {2});
  EXPECT_THAT(view.TakeFlagsPending(), ElementsAre(1, 2));
}

TEST(MailboxViewTest, EventsWithoutUidsAskForResync) {
  MailboxView view;
  view.Load(Selected({1}));
  EXPECT_FALSE(view.resync_pending());
  view.OnEvent(Event(v1::ChangeEvent::KIND_UNSPECIFIED, {}));
  EXPECT_TRUE(view.resync_pending());
  view.ClearResync();
  view.OnEvent(Event(v1::ChangeEvent::KIND_MESSAGES_EXPUNGED, {}));
  EXPECT_TRUE(view.resync_pending());
}

TEST(MailboxViewTest, SavedResultLosesExpungedMessages) {
  MailboxView view;
  view.Load(Selected({1, 2, 3}));
  view.SaveResult({1, 3});
  EXPECT_THAT(view.UidsForSequences(SequenceSet::SavedResult()), Optional(ElementsAre(1, 3)));
  view.NoteExpunged({3});
  view.TakeExpunges();
  EXPECT_THAT(view.saved_result(), ElementsAre(1));
}

}  // namespace
}  // namespace mailroom::imap
