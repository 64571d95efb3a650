// MailDb against a real PostgreSQL (label `db`): deliveries, UIDs under concurrency, body
// stored once, quota, idempotency, mailboxes, flags, copy/move, expunge, search, leases.
#include "services/store/db/mail_db.h"

#include <atomic>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/shared/status/status_matchers.h"
#include "services/store/db/pool.h"
#include "services/store/db/sql_util.h"
#include "services/store/domain/ingest.h"
#include "services/store/testing/test_database.h"

namespace mailroom::store::db {
namespace {

using ::mailroom::testing::IsOk;
using ::mailroom::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class MailDbTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<store::testing::TestDatabase> db = store::testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    database_ = new store::testing::TestDatabase(*std::move(db));
    PoolOptions options;
    options.dsn = database_->dsn();
    options.size = 12;
    pool_ = new ConnectionPool(options);
    mail_ = new MailDb(pool_);
    ASSERT_TRUE(mail_->AddDomain("example.test", "").ok());
  }
  static void TearDownTestSuite() {
    delete mail_;
    delete pool_;
    delete database_;
  }

  // A new user with the default mailboxes; returns its id.
  uint64_t NewUser(uint64_t quota = 0) {
    static std::atomic<int> n{0};
    ParsedAddress a;
    a.local = a.base = absl::StrCat("user", n++, "_", ::testing::UnitTest::GetInstance()
                                                           ->current_test_info()
                                                           ->name());
    for (char& c : a.local) c = static_cast<char>(std::tolower(c));
    a.base = a.local;
    a.domain = "example.test";
    absl::StatusOr<v1::User> u = mail_->AddUser(a, "hash", quota);
    EXPECT_TRUE(u.ok()) << u.status();
    return u.ok() ? u->user_id() : 0;
  }

  static std::string Message(const std::string& subject, const std::string& body) {
    return absl::StrCat("From: Ann <ann@example.test>\r\nTo: bob@example.test\r\nSubject: ",
                        subject, "\r\nDate: Tue, 3 Mar 2026 10:00:00 +0000\r\n\r\n", body,
                        "\r\n");
  }

  absl::StatusOr<v1::DeliverMessageResponse> Deliver(std::vector<uint64_t> users,
                                                     const std::string& raw,
                                                     const std::string& mailbox = "",
                                                     const std::string& txid = "") {
    std::vector<NewMessage> targets;
    for (uint64_t u : users) {
      NewMessage& t = targets.emplace_back();
      t.user_id = u;
      t.mailbox = mailbox;
    }
    return mail_->AddMessages(raw, Ingest(raw), targets, txid);
  }

  uint64_t MailboxId(uint64_t user, const std::string& name) {
    v1::SelectMailboxRequest r;
    r.set_user_id(user);
    absl::StatusOr<v1::SelectMailboxResponse> s = mail_->Select(r, name);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? s->mailbox().mailbox_id() : 0;
  }

  std::vector<uint32_t> Uids(uint64_t user, const std::string& name) {
    v1::SelectMailboxRequest r;
    r.set_user_id(user);
    absl::StatusOr<v1::SelectMailboxResponse> s = mail_->Select(r, name);
    std::vector<uint32_t> out;
    if (s.ok()) {
      for (const auto& m : s->messages()) out.push_back(m.uid());
    }
    return out;
  }

  static int64_t Scalar(const std::string& sql) {
    pqxx::connection c(database_->dsn());
    pqxx::nontransaction t(c);
    return t.exec(sql)[0][0].as<int64_t>();
  }

  static v1::UidSet Set(uint32_t first, uint32_t last) {
    v1::UidSet s;
    v1::UidRange* r = s.add_ranges();
    r->set_first(first);
    r->set_last(last);
    return s;
  }

  static store::testing::TestDatabase* database_;
  static ConnectionPool* pool_;
  static MailDb* mail_;
};

store::testing::TestDatabase* MailDbTest::database_ = nullptr;
ConnectionPool* MailDbTest::pool_ = nullptr;
MailDb* MailDbTest::mail_ = nullptr;

// 8 writers x 200 deliveries into one mailbox: 1,600 distinct, strictly increasing UIDs, and
// a concurrent reader never sees a UID appear below one it already saw.
TEST_F(MailDbTest, ConcurrentDeliveriesGiveStrictlyIncreasingUids) {
  const uint64_t user = NewUser();
  constexpr int kWriters = 8, kEach = 200;
  std::atomic<int> failures{0};
  std::atomic<bool> done{false};
  std::atomic<int> reader_violations{0}, reader_polls{0};
  std::thread reader([&] {
    std::set<uint32_t> seen;
    uint32_t max_seen = 0;
    while (!done.load()) {
      std::vector<uint32_t> now = Uids(user, "INBOX");
      uint32_t max_now = max_seen;
      for (uint32_t uid : now) {
        if (seen.count(uid)) continue;
        if (uid < max_seen) ++reader_violations;  // a smaller UID appeared after a larger one
        seen.insert(uid);
        max_now = std::max(max_now, uid);
      }
      max_seen = max_now;
      ++reader_polls;
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kEach; ++i) {
        if (!Deliver({user}, Message(absl::StrCat("w", w, " m", i), "body")).ok()) ++failures;
      }
    });
  }
  for (std::thread& t : writers) t.join();
  done = true;
  reader.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(reader_violations.load(), 0);
  EXPECT_GT(reader_polls.load(), 1);
  std::vector<uint32_t> uids = Uids(user, "INBOX");
  ASSERT_EQ(uids.size(), static_cast<size_t>(kWriters * kEach));
  for (size_t i = 1; i < uids.size(); ++i) ASSERT_LT(uids[i - 1], uids[i]);
  EXPECT_EQ(uids.front(), 1u);
  EXPECT_EQ(uids.back(), static_cast<uint32_t>(kWriters * kEach));
}

TEST_F(MailDbTest, FiftyRecipientsStoreTheBodyOnce) {
  std::vector<uint64_t> users;
  for (int i = 0; i < 50; ++i) users.push_back(NewUser());
  const std::string raw = Message("to fifty", std::string(10000, 'x'));
  absl::StatusOr<v1::DeliverMessageResponse> r = Deliver(users, raw);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->results_size(), 50);
  const std::string hex = absl::StrCat("'\\x", absl::BytesToHexString(Sha256(raw)), "'");
  EXPECT_EQ(Scalar(absl::StrCat("SELECT count(*) FROM contents WHERE sha256 = ", hex)), 1);
  EXPECT_EQ(Scalar(absl::StrCat("SELECT refcount FROM contents WHERE sha256 = ", hex)), 50);
  EXPECT_EQ(Scalar(absl::StrCat("SELECT count(*) FROM messages WHERE sha256 = ", hex)), 50);
  for (uint64_t u : users) EXPECT_THAT(Uids(u, "INBOX"), ElementsAre(1u));
}

TEST_F(MailDbTest, QuotaIsEnforcedAndNothingChangesOnRefusal) {
  const uint64_t user = NewUser(/*quota=*/1000);
  const std::string raw = Message("q", std::string(500, 'a'));
  ASSERT_THAT(Deliver({user}, raw), IsOk());
  EXPECT_THAT(Deliver({user}, Message("q2", std::string(500, 'b'))),
              StatusIs(absl::StatusCode::kResourceExhausted));
  absl::StatusOr<v1::GetQuotaResponse> q = mail_->GetQuota(user);
  ASSERT_THAT(q, IsOk());
  EXPECT_EQ(q->used_bytes(), raw.size());
  EXPECT_EQ(q->used_messages(), 1u);
  EXPECT_EQ(Uids(user, "INBOX").size(), 1u);
  // Copy over quota is refused too; expunge gives the space back.
  v1::CopyMessagesRequest copy;
  copy.set_user_id(user);
  copy.set_mailbox_id(MailboxId(user, "INBOX"));
  *copy.mutable_uids() = Set(1, 0);
  EXPECT_THAT(mail_->Copy(copy, "Archive"), StatusIs(absl::StatusCode::kResourceExhausted));
  v1::ExpungeRequest ex;
  ex.set_user_id(user);
  ex.set_mailbox_id(MailboxId(user, "INBOX"));
  *ex.mutable_uids() = Set(1, 1);
  ASSERT_THAT(mail_->Expunge(ex), IsOk());
  EXPECT_EQ(mail_->GetQuota(user)->used_bytes(), 0u);
}

TEST_F(MailDbTest, RepeatedTransactionIdDeliversOnce) {
  const uint64_t user = NewUser();
  const std::string raw = Message("once", "x");
  absl::StatusOr<v1::DeliverMessageResponse> a = Deliver({user}, raw, "", "tx-42");
  absl::StatusOr<v1::DeliverMessageResponse> b = Deliver({user}, raw, "", "tx-42");
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(a->results(0).uid(), b->results(0).uid());
  EXPECT_EQ(Uids(user, "INBOX").size(), 1u);
}

TEST_F(MailDbTest, MailboxLifecycle) {
  const uint64_t user = NewUser();
  ASSERT_THAT(mail_->CreateMailbox(user, "Work/2026/Q1", v1::SPECIAL_USE_UNSPECIFIED), IsOk());
  EXPECT_THAT(mail_->CreateMailbox(user, "Work", v1::SPECIAL_USE_UNSPECIFIED),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(mail_->DeleteMailbox(user, "Work"), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(mail_->DeleteMailbox(user, "INBOX"),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_THAT(mail_->RenameMailbox(user, "Work", "Jobs"), IsOk());
  absl::StatusOr<v1::ListMailboxesResponse> list = mail_->ListMailboxes(user, false);
  ASSERT_THAT(list, IsOk());
  std::vector<std::string> names;
  for (const auto& m : list->mailboxes()) names.push_back(m.name());
  EXPECT_THAT(names, ElementsAre("Archive", "Drafts", "INBOX", "Jobs", "Jobs/2026",
                                 "Jobs/2026/Q1", "Junk", "Sent", "Trash"));
  EXPECT_THAT(mail_->RenameMailbox(user, "Nope", "X"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(mail_->GetStatus(user, "Work"), StatusIs(absl::StatusCode::kNotFound));
}

// RFC 9051 §6.3.6: renaming INBOX moves its messages to the new mailbox; INBOX stays, empty.
TEST_F(MailDbTest, RenameInboxMovesMessages) {
  const uint64_t user = NewUser();
  ASSERT_THAT(Deliver({user}, Message("a", "1")), IsOk());
  ASSERT_THAT(Deliver({user}, Message("b", "2")), IsOk());
  ASSERT_THAT(mail_->RenameMailbox(user, "INBOX", "Old/Inbox"), IsOk());
  EXPECT_THAT(Uids(user, "INBOX"), IsEmpty());
  EXPECT_THAT(Uids(user, "Old/Inbox"), ElementsAre(1u, 2u));
  EXPECT_EQ(mail_->GetStatus(user, "Old/Inbox")->uidnext(), 3u);
  v1::GetExpungedRequest ge;
  ge.set_user_id(user);
  ge.set_mailbox_id(MailboxId(user, "INBOX"));
  absl::StatusOr<v1::GetExpungedResponse> gone = mail_->GetExpunged(ge);
  ASSERT_THAT(gone, IsOk());
  EXPECT_EQ(gone->vanished().ranges_size(), 1);
}

TEST_F(MailDbTest, StoreFlagsWithUnchangedSinceAndResync) {
  const uint64_t user = NewUser();
  for (int i = 0; i < 3; ++i) ASSERT_THAT(Deliver({user}, Message("f", std::to_string(i))), IsOk());
  const uint64_t box = MailboxId(user, "INBOX");
  const uint64_t before = mail_->GetStatus(user, "INBOX")->highestmodseq();
  v1::StoreFlagsRequest st;
  st.set_user_id(user);
  st.set_mailbox_id(box);
  *st.mutable_uids() = Set(1, 2);
  st.set_mode(v1::StoreFlagsRequest::MODE_ADD);
  st.mutable_flags()->set_system(v1::SYSTEM_FLAG_SEEN);
  st.mutable_flags()->add_keywords("$Work");
  absl::StatusOr<v1::StoreFlagsResponse> r = mail_->StoreFlags(st);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->updated_size(), 2);
  EXPECT_GT(r->highestmodseq(), before);
  // UNCHANGEDSINCE older than message 1's MODSEQ: message 1 is reported, message 3 changes.
  st.set_unchanged_since(before);
  *st.mutable_uids() = Set(1, 3);
  st.mutable_flags()->set_system(v1::SYSTEM_FLAG_FLAGGED);
  absl::StatusOr<v1::StoreFlagsResponse> r2 = mail_->StoreFlags(st);
  ASSERT_THAT(r2, IsOk());
  ASSERT_EQ(r2->modified().ranges_size(), 1);
  EXPECT_EQ(r2->modified().ranges(0).first(), 1u);
  EXPECT_EQ(r2->modified().ranges(0).last(), 2u);
  ASSERT_EQ(r2->updated_size(), 1);
  EXPECT_EQ(r2->updated(0).uid(), 3u);
  // Resync since the first STORE: only message 3 changed after it.
  v1::SelectMailboxRequest sel;
  sel.set_user_id(user);
  sel.set_changed_since_modseq(r->highestmodseq());
  sel.set_known_uidvalidity(mail_->GetStatus(user, "INBOX")->uidvalidity());
  absl::StatusOr<v1::SelectMailboxResponse> changed = mail_->Select(sel, "INBOX");
  ASSERT_THAT(changed, IsOk());
  ASSERT_EQ(changed->messages_size(), 1);
  EXPECT_EQ(changed->messages(0).uid(), 3u);
  EXPECT_THAT(changed->keywords(), ::testing::Contains("$Work"));
}

// STORE of system flags alone takes the one-statement path: the same answers as the general
// one, keywords kept (cleared by a replace), no MODSEQ for a STORE that changes nothing, and
// the change announced.
TEST_F(MailDbTest, SystemFlagStoreInOneStatement) {
  const uint64_t user = NewUser();
  for (int i = 0; i < 3; ++i) ASSERT_THAT(Deliver({user}, Message("s", std::to_string(i))), IsOk());
  const uint64_t box = MailboxId(user, "INBOX");
  v1::StoreFlagsRequest st;
  st.set_user_id(user);
  st.set_mailbox_id(box);
  *st.mutable_uids() = Set(1, 1);
  st.set_mode(v1::StoreFlagsRequest::MODE_ADD);
  st.mutable_flags()->add_keywords("$Work");  // with a keyword: the general path
  ASSERT_THAT(mail_->StoreFlags(st), IsOk());

  pqxx::connection listener(database_->dsn());
  std::vector<std::string> payloads;
  struct Receiver : pqxx::notification_receiver {
    Receiver(pqxx::connection_base& c, std::vector<std::string>* out)
        : pqxx::notification_receiver(c, kChangeChannel), out(out) {}
    void operator()(const std::string& payload, int) override { out->push_back(payload); }
    std::vector<std::string>* out;
  } receiver(listener, &payloads);
  listener.get_notifs();

  const uint64_t before = mail_->GetStatus(user, "INBOX")->highestmodseq();
  st.mutable_flags()->Clear();
  st.mutable_flags()->set_system(v1::SYSTEM_FLAG_SEEN | v1::SYSTEM_FLAG_FLAGGED);
  *st.mutable_uids() = Set(1, 0);
  absl::StatusOr<v1::StoreFlagsResponse> r = mail_->StoreFlags(st);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->highestmodseq(), before + 1);
  ASSERT_EQ(r->updated_size(), 3);
  EXPECT_EQ(r->updated(0).uid(), 1u);
  EXPECT_EQ(r->updated(0).flags().system(), v1::SYSTEM_FLAG_SEEN | v1::SYSTEM_FLAG_FLAGGED);
  EXPECT_THAT(r->updated(0).flags().keywords(), ElementsAre("$Work"));
  EXPECT_EQ(r->updated(2).modseq(), before + 1);

  // Already so: nothing changes, no new MODSEQ.
  r = mail_->StoreFlags(st);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->updated_size(), 0);
  EXPECT_EQ(r->highestmodseq(), before + 1);

  st.set_mode(v1::StoreFlagsRequest::MODE_REMOVE);
  st.mutable_flags()->set_system(v1::SYSTEM_FLAG_FLAGGED);
  *st.mutable_uids() = Set(2, 2);
  r = mail_->StoreFlags(st);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->updated_size(), 1);
  EXPECT_EQ(r->updated(0).flags().system(), v1::SYSTEM_FLAG_SEEN);

  st.set_mode(v1::StoreFlagsRequest::MODE_REPLACE);
  st.mutable_flags()->set_system(v1::SYSTEM_FLAG_SEEN | v1::SYSTEM_FLAG_FLAGGED);
  *st.mutable_uids() = Set(1, 1);  // same system flags, but the keyword goes
  r = mail_->StoreFlags(st);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->updated_size(), 1);
  EXPECT_EQ(r->updated(0).flags().keywords_size(), 0);
  EXPECT_EQ(r->highestmodseq(), before + 3);

  // Three changes, three announcements, each with its MODSEQ and UIDs.
  for (int i = 0; i < 50 && payloads.size() < 3; ++i) listener.await_notification(0, 100000);
  ASSERT_EQ(payloads.size(), 3u);
  std::string bytes;
  ASSERT_TRUE(absl::Base64Unescape(payloads[0], &bytes));
  v1::ChangeEvent first;
  ASSERT_TRUE(first.ParseFromString(bytes));
  EXPECT_EQ(first.kind(), v1::ChangeEvent::KIND_FLAGS_CHANGED);
  EXPECT_EQ(first.user_id(), user);
  EXPECT_EQ(first.mailbox_id(), box);
  EXPECT_EQ(first.modseq(), before + 1);
  EXPECT_THAT(first.uids(), ElementsAre(1u, 2u, 3u));

  st.set_mailbox_id(box + 1000000);
  EXPECT_THAT(mail_->StoreFlags(st), StatusIs(absl::StatusCode::kNotFound));
}

// Changes are announced once committed (after the commit: pool.cc), refusals never, and a
// starting store asks every watcher to resynchronise.
TEST_F(MailDbTest, ChangesAreAnnouncedOnceCommitted) {
  const uint64_t user = NewUser();
  ASSERT_THAT(Deliver({user}, Message("a", "1")), IsOk());
  pqxx::connection listener(database_->dsn());
  std::vector<std::string> payloads;
  struct Receiver : pqxx::notification_receiver {
    Receiver(pqxx::connection_base& c, std::vector<std::string>* out)
        : pqxx::notification_receiver(c, kChangeChannel), out(out) {}
    void operator()(const std::string& payload, int) override { out->push_back(payload); }
    std::vector<std::string>* out;
  } receiver(listener, &payloads);
  listener.get_notifs();
  const auto kinds = [&](size_t want) {
    for (int i = 0; i < 50 && payloads.size() < want; ++i) listener.await_notification(0, 100000);
    std::vector<std::string> out;
    for (const std::string& p : payloads) {
      std::string bytes;
      v1::ChangeEvent e;
      if (p == kResyncPayload) {
        out.push_back("resync");
      } else if (absl::Base64Unescape(p, &bytes) && e.ParseFromString(bytes)) {
        out.push_back(v1::ChangeEvent::Kind_Name(e.kind()));
      }
    }
    return out;
  };
  EXPECT_THAT(Deliver({user}, Message("b", "2"), "NoSuchFolder"),
              StatusIs(absl::StatusCode::kNotFound));
  ASSERT_THAT(Deliver({user}, Message("c", "3")), IsOk());
  v1::ExpungeRequest ex;
  ex.set_user_id(user);
  ex.set_mailbox_id(MailboxId(user, "INBOX"));
  *ex.mutable_uids() = Set(1, 1);
  ex.set_only_deleted(false);
  ASSERT_THAT(mail_->Expunge(ex), IsOk());
  ASSERT_THAT(mail_->AnnounceStart(), IsOk());
  EXPECT_THAT(kinds(3), ElementsAre("KIND_MESSAGE_ADDED", "KIND_MESSAGES_EXPUNGED", "resync"));
}

TEST_F(MailDbTest, CopyAndMoveReturnUidMappings) {
  const uint64_t user = NewUser();
  for (int i = 0; i < 3; ++i) ASSERT_THAT(Deliver({user}, Message("c", std::to_string(i))), IsOk());
  const uint64_t inbox = MailboxId(user, "INBOX");
  v1::CopyMessagesRequest copy;
  copy.set_user_id(user);
  copy.set_mailbox_id(inbox);
  *copy.mutable_uids() = Set(2, 3);
  absl::StatusOr<v1::CopyMessagesResponse> c = mail_->Copy(copy, "Archive");
  ASSERT_THAT(c, IsOk());
  EXPECT_THAT(c->source_uids(), ElementsAre(2u, 3u));
  EXPECT_THAT(c->destination_uids(), ElementsAre(1u, 2u));
  copy.set_move(true);
  *copy.mutable_uids() = Set(1, 1);
  absl::StatusOr<v1::CopyMessagesResponse> m = mail_->Copy(copy, "Archive");
  ASSERT_THAT(m, IsOk());
  EXPECT_THAT(m->destination_uids(), ElementsAre(3u));
  EXPECT_THAT(Uids(user, "INBOX"), ElementsAre(2u, 3u));
  EXPECT_THAT(Uids(user, "Archive"), ElementsAre(1u, 2u, 3u));
  EXPECT_THAT(mail_->Copy(copy, "Missing"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(mail_->GetQuota(user)->used_messages(), 5u);
  // The moved message is expunged from INBOX (RFC 6851 §3.3: VANISHED for QRESYNC clients)...
  EXPECT_GT(m->source_highestmodseq(), 0u);
  v1::GetExpungedRequest gone;
  gone.set_user_id(user);
  gone.set_mailbox_id(inbox);
  absl::StatusOr<v1::GetExpungedResponse> vanished = mail_->GetExpunged(gone);
  ASSERT_THAT(vanished, IsOk());
  ASSERT_EQ(vanished->vanished().ranges_size(), 1);
  EXPECT_EQ(vanished->vanished().ranges(0).first(), 1u);
  EXPECT_EQ(vanished->vanished().ranges(0).last(), 1u);
  // ...but its content stays referenced by the copy: every message still has its content.
  EXPECT_EQ(Scalar(absl::StrCat("SELECT count(*) FROM messages m JOIN contents c ON c.sha256 = "
                                "m.sha256 WHERE m.user_id = ", user, " AND c.refcount >= 1")),
            5);
}

// Deliveries (contents, user, mailbox), EXPUNGE (quota given back), COPY (quota charged) and
// MOVE of one user at once: every writer takes the rows in one order, so none deadlocks (a
// deadlock costs PostgreSQL's deadlock_timeout and a retry; the pool counts those).
TEST_F(MailDbTest, WritersOfOneUserNeverDeadlock) {
  const uint64_t user = NewUser();
  const uint64_t inbox = MailboxId(user, "INBOX");
  const uint64_t retried_before = pool_->conflicts_retried();
  constexpr int kRounds = 150;
  std::atomic<int> failures{0};
  auto check = [&](const absl::Status& s) {
    if (!s.ok()) failures++;
  };
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    for (int i = 0; i < kRounds; ++i) {
      check(Deliver({user}, Message("lock order", std::to_string(i))).status());
    }
  });
  threads.emplace_back([&] {
    v1::ExpungeRequest ex;
    ex.set_user_id(user);
    ex.set_mailbox_id(inbox);
    *ex.mutable_uids() = Set(1, 0);  // 1:*
    ex.set_only_deleted(false);
    for (int i = 0; i < kRounds; ++i) check(mail_->Expunge(ex).status());
  });
  threads.emplace_back([&] {
    v1::CopyMessagesRequest copy;
    copy.set_user_id(user);
    copy.set_mailbox_id(inbox);
    *copy.mutable_uids() = Set(1, 0);
    for (int i = 0; i < kRounds; ++i) {
      copy.set_move(i % 2 == 1);
      check(mail_->Copy(copy, "Archive").status());
    }
  });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(pool_->conflicts_retried() - retried_before, 0u);
  // And the books still balance: quota usage = what the mailboxes hold.
  EXPECT_EQ(Scalar(absl::StrCat("SELECT used_messages FROM users WHERE user_id = ", user)),
            Scalar(absl::StrCat("SELECT count(*) FROM messages WHERE user_id = ", user)));
}

// Overlapping, reversed and unsorted ranges of a client's UID set: every message once, in
// UID order.
TEST_F(MailDbTest, OverlappingUidRangesFetchEachMessageOnce) {
  const uint64_t user = NewUser();
  for (int i = 0; i < 6; ++i) ASSERT_THAT(Deliver({user}, Message("r", std::to_string(i))), IsOk());
  v1::FetchMessagesRequest f;
  f.set_user_id(user);
  f.set_mailbox_id(MailboxId(user, "INBOX"));
  for (auto [a, b] : {std::pair{5u, 6u}, {4u, 2u}, {3u, 5u}, {1u, 1u}}) {
    v1::UidRange* r = f.mutable_uids()->add_ranges();
    r->set_first(a);
    r->set_last(b);
  }
  f.mutable_attributes()->set_flags(true);
  std::vector<uint32_t> uids;
  ASSERT_THAT(mail_->Fetch(f, 2, [&](v1::FetchMessagesResponse& batch) {
    for (const v1::FetchedMessage& m : batch.messages()) uids.push_back(m.uid());
    return true;
  }), IsOk());
  EXPECT_THAT(uids, ElementsAre(1u, 2u, 3u, 4u, 5u, 6u));
}

TEST_F(MailDbTest, ExpungeOnlyDeletedAndUidExpunge) {
  const uint64_t user = NewUser();
  for (int i = 0; i < 4; ++i) ASSERT_THAT(Deliver({user}, Message("e", std::to_string(i))), IsOk());
  const uint64_t box = MailboxId(user, "INBOX");
  v1::StoreFlagsRequest st;
  st.set_user_id(user);
  st.set_mailbox_id(box);
  *st.mutable_uids() = Set(2, 4);
  st.set_mode(v1::StoreFlagsRequest::MODE_ADD);
  st.mutable_flags()->set_system(v1::SYSTEM_FLAG_DELETED);
  ASSERT_THAT(mail_->StoreFlags(st), IsOk());
  v1::ExpungeRequest ex;
  ex.set_user_id(user);
  ex.set_mailbox_id(box);
  *ex.mutable_uids() = Set(1, 2);
  ex.set_only_deleted(true);  // UID EXPUNGE 1:2 removes only 2 (RFC 4315 §2.1)
  absl::StatusOr<v1::ExpungeResponse> r = mail_->Expunge(ex);
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(r->expunged_uids(), ElementsAre(2u));
  const uint64_t after_first = r->highestmodseq();
  ex.clear_uids();
  r = mail_->Expunge(ex);
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(r->expunged_uids(), ElementsAre(3u, 4u));
  EXPECT_EQ(r->highestmodseq(), after_first + 1);  // one change, one MODSEQ
  EXPECT_THAT(Uids(user, "INBOX"), ElementsAre(1u));
  EXPECT_EQ(mail_->GetQuota(user)->used_messages(), 1u);
  v1::GetExpungedRequest gone;
  gone.set_user_id(user);
  gone.set_mailbox_id(box);
  gone.set_since_modseq(after_first - 1);
  absl::StatusOr<v1::GetExpungedResponse> vanished = mail_->GetExpunged(gone);
  ASSERT_THAT(vanished, IsOk());
  ASSERT_EQ(vanished->vanished().ranges_size(), 1);
  EXPECT_EQ(vanished->vanished().ranges(0).first(), 2u);
  EXPECT_EQ(vanished->vanished().ranges(0).last(), 4u);
  // Nothing left to expunge: no change, no new MODSEQ.
  r = mail_->Expunge(ex);
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(r->expunged_uids(), IsEmpty());
  EXPECT_EQ(mail_->GetStatus(user, "INBOX")->highestmodseq(), after_first + 1);
}

// The NOTIFY payload built in SQL (schema 0005) is the one NotifyPayload() builds in C++.
TEST_F(MailDbTest, SqlChangePayloadEqualsTheCppOne) {
  pqxx::connection conn(database_->dsn());
  pqxx::nontransaction txn(conn);
  const auto sql_payload = [&](const v1::ChangeEvent& e) {
    std::vector<int64_t> uids(e.uids().begin(), e.uids().end());
    return txn.exec_params("SELECT mailroom_change_payload($1, $2, $3, $4, $5::bigint[], $6)",
                           static_cast<int>(e.kind()), e.user_id(), e.mailbox_id(), e.modseq(),
                           IntArray(uids), e.mailbox_name())[0][0]
        .as<std::string>();
  };
  v1::ChangeEvent e;
  e.set_kind(v1::ChangeEvent::KIND_FLAGS_CHANGED);
  e.set_user_id(7);
  e.set_mailbox_id(300);
  e.set_modseq(uint64_t{1} << 40);
  for (uint32_t uid : {1u, 127u, 128u, 16384u, 4000000000u}) e.add_uids(uid);
  EXPECT_EQ(sql_payload(e), NotifyPayload(e));
  e.set_kind(v1::ChangeEvent::KIND_MESSAGE_ADDED);
  e.set_mailbox_name("Archiv/M\xc3\xa4rz");
  EXPECT_EQ(sql_payload(e), NotifyPayload(e));
  e.clear_uids();
  e.set_mailbox_id(0);
  EXPECT_EQ(sql_payload(e), NotifyPayload(e));
  for (uint32_t uid = 100000; uid < 103000; ++uid) e.add_uids(uid);  // too many: left out
  EXPECT_EQ(sql_payload(e), NotifyPayload(e));
  std::string bytes;
  ASSERT_TRUE(absl::Base64Unescape(sql_payload(e), &bytes));
  v1::ChangeEvent parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  EXPECT_EQ(parsed.uids_size(), 0);
  EXPECT_EQ(parsed.modseq(), uint64_t{1} << 40);
}

// Behind a pooler without protocol-level prepared statements the same SQL runs unprepared.
TEST_F(MailDbTest, WorksWithoutPreparedStatements) {
  PoolOptions options;
  options.dsn = database_->dsn();
  options.size = 2;
  options.prepared_statements = false;
  ConnectionPool pool(options);
  MailDb mail(&pool);
  const uint64_t user = NewUser();
  const std::string raw = Message("plain", "unprepared");
  NewMessage target;
  target.user_id = user;
  ASSERT_THAT(mail.AddMessages(raw, Ingest(raw), {target}, ""), IsOk());
  v1::StoreFlagsRequest st;
  st.set_user_id(user);
  st.set_mailbox_id(MailboxId(user, "INBOX"));
  *st.mutable_uids() = Set(1, 0);
  st.set_mode(v1::StoreFlagsRequest::MODE_ADD);
  st.mutable_flags()->set_system(v1::SYSTEM_FLAG_DELETED);
  ASSERT_THAT(mail.StoreFlags(st), IsOk());
  v1::ExpungeRequest ex;
  ex.set_user_id(user);
  ex.set_mailbox_id(st.mailbox_id());
  absl::StatusOr<v1::ExpungeResponse> r = mail.Expunge(ex);
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(r->expunged_uids(), ElementsAre(1u));
}

TEST_F(MailDbTest, SearchAndSortInTheStore) {
  const uint64_t user = NewUser();
  ASSERT_THAT(Deliver({user}, Message("Re: Zebra report", "the quick brown fox")), IsOk());
  ASSERT_THAT(Deliver({user}, Message("apple pie", "lazy dog " + std::string(3000, 'z'))), IsOk());
  ASSERT_THAT(Deliver({user}, Message("Mango", "caf\xc3\xa9 au lait")), IsOk());
  const uint64_t box = MailboxId(user, "INBOX");
  const auto search = [&](std::vector<v1::SearchKey> keys) {
    v1::SearchMessagesRequest r;
    r.set_user_id(user);
    r.set_mailbox_id(box);
    for (auto& k : keys) *r.add_keys() = k;
    absl::StatusOr<v1::SearchMessagesResponse> out = mail_->Search(r);
    EXPECT_THAT(out, IsOk());
    return out.ok() ? std::vector<uint32_t>(out->uids().begin(), out->uids().end())
                    : std::vector<uint32_t>{};
  };
  v1::SearchKey body;
  body.set_body("BROWN");
  EXPECT_THAT(search({body}), ElementsAre(1u));
  // The search string is a substring, never a pattern: "o_n" is not "own" of "brown".
  v1::SearchKey wildcard;
  wildcard.set_body("o_n");
  EXPECT_THAT(search({wildcard}), ElementsAre());
  wildcard.set_text("%");
  EXPECT_THAT(search({wildcard}), ElementsAre());
  wildcard.set_text("ck\\ b");  // a backslash is itself, not an escape of " "
  EXPECT_THAT(search({wildcard}), ElementsAre());
  v1::SearchKey subject;
  subject.mutable_header()->set_field("Subject");
  subject.mutable_header()->set_value("mango");
  EXPECT_THAT(search({subject}), ElementsAre(3u));
  v1::SearchKey utf8;
  utf8.set_text("CAF\xc3\x89");  // case-insensitive beyond ASCII
  EXPECT_THAT(search({utf8}), ElementsAre(3u));
  v1::SearchKey larger;
  larger.set_larger(2000);
  v1::SearchKey not_larger;
  *not_larger.mutable_not_() = larger;
  EXPECT_THAT(search({larger}), ElementsAre(2u));
  EXPECT_THAT(search({not_larger}), ElementsAre(1u, 3u));
  v1::SearchKey either;
  *either.mutable_or_()->add_keys() = body;
  *either.mutable_or_()->add_keys() = subject;
  EXPECT_THAT(search({either}), ElementsAre(1u, 3u));
  v1::SearchKey unseen;
  unseen.mutable_lacks_flags()->set_system(v1::SYSTEM_FLAG_SEEN);
  EXPECT_THAT(search({unseen}), ElementsAre(1u, 2u, 3u));

  v1::SearchMessagesRequest sorted;
  sorted.set_user_id(user);
  sorted.set_mailbox_id(box);
  sorted.add_keys()->set_all(true);
  auto* key = sorted.add_sort();
  key->set_key(v1::SearchMessagesRequest::SORT_KEY_SUBJECT);
  absl::StatusOr<v1::SearchMessagesResponse> s = mail_->Search(sorted);
  ASSERT_THAT(s, IsOk());
  EXPECT_THAT(s->uids(), ElementsAre(2u, 3u, 1u));  // apple, mango, zebra (Re: stripped)
  key->set_reverse(true);
  EXPECT_THAT(mail_->Search(sorted)->uids(), ElementsAre(1u, 3u, 2u));
}

// Header searches test the folded text of all headers first; values JSON escapes (quotes,
// backslashes) still match exactly.
TEST_F(MailDbTest, HeaderSearchWithAndWithoutThePrefilter) {
  const uint64_t user = NewUser();
  ASSERT_THAT(Deliver({user}, Message("He said \"Hi\" at C:\\Temp", "x")), IsOk());
  ASSERT_THAT(Deliver({user}, Message("all quiet", "Hi")), IsOk());
  const uint64_t box = MailboxId(user, "INBOX");
  const auto subject = [&](const std::string& value) {
    v1::SearchMessagesRequest r;
    r.set_user_id(user);
    r.set_mailbox_id(box);
    r.add_keys()->mutable_header()->set_field("Subject");
    r.mutable_keys(0)->mutable_header()->set_value(value);
    absl::StatusOr<v1::SearchMessagesResponse> out = mail_->Search(r);
    EXPECT_THAT(out, IsOk());
    return out.ok() ? std::vector<uint32_t>(out->uids().begin(), out->uids().end())
                    : std::vector<uint32_t>{};
  };
  EXPECT_THAT(subject("hi"), ElementsAre(1u));
  EXPECT_THAT(subject("\"HI\""), ElementsAre(1u));
  EXPECT_THAT(subject("c:\\temp"), ElementsAre(1u));
  EXPECT_THAT(subject("QUIET"), ElementsAre(2u));
  EXPECT_THAT(subject("subject"), ElementsAre());  // a field name is no value
}

TEST_F(MailDbTest, FetchAndReadContent) {
  const uint64_t user = NewUser();
  const std::string raw = Message("fetch me", "line one");
  ASSERT_THAT(Deliver({user}, raw), IsOk());
  v1::FetchMessagesRequest f;
  f.set_user_id(user);
  f.set_mailbox_id(MailboxId(user, "INBOX"));
  *f.mutable_uids() = Set(1, 0);
  f.mutable_attributes()->set_envelope(true);
  f.mutable_attributes()->set_size(true);
  f.mutable_attributes()->set_header(true);
  f.mutable_attributes()->set_flags(true);
  std::vector<v1::FetchedMessage> got;
  ASSERT_THAT(mail_->Fetch(f, 100, [&](v1::FetchMessagesResponse& b) {
    for (auto& m : b.messages()) got.push_back(m);
    return true;
  }), IsOk());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].size(), raw.size());
  EXPECT_EQ(got[0].envelope().subject(), "fetch me");
  EXPECT_EQ(got[0].header(), raw.substr(0, raw.find("\r\n\r\n") + 4));
  absl::StatusOr<MailDb::ContentRef> ref = mail_->GetContentRef(user, f.mailbox_id(), 1);
  ASSERT_THAT(ref, IsOk());
  EXPECT_THAT(mail_->ReadContent(ref->sha256, 0, raw.size()), ::mailroom::testing::IsOkAndHolds(raw));
  EXPECT_THAT(mail_->ReadContent(ref->sha256, 6, 3), ::mailroom::testing::IsOkAndHolds("Ann"));
  EXPECT_THAT(mail_->GetContentRef(user, f.mailbox_id(), 99),
              StatusIs(absl::StatusCode::kNotFound));
}

// Bodies come with FetchMessages only up to body_max_size, and a batch ends after the message
// that takes it past a few MiB of bodies (the store's memory per call stays bounded).
TEST_F(MailDbTest, FetchBodiesInBoundedBatches) {
  const uint64_t user = NewUser();
  const std::string small = Message("small", "tiny");
  const std::string big1 = Message("big one", std::string(2500 << 10, 'a'));
  const std::string big2 = Message("big two", std::string(2500 << 10, 'b'));
  for (const std::string* raw : {&small, &big1, &big2, &small}) {
    ASSERT_THAT(Deliver({user}, *raw), IsOk());
  }
  v1::FetchMessagesRequest f;
  f.set_user_id(user);
  f.set_mailbox_id(MailboxId(user, "INBOX"));
  *f.mutable_uids() = Set(1, 0);
  f.mutable_attributes()->set_body(true);
  f.mutable_attributes()->set_size(true);
  const auto fetch = [&](std::vector<std::vector<uint32_t>>* batches) {
    std::vector<v1::FetchedMessage> got;
    EXPECT_THAT(mail_->Fetch(f, 100, [&](v1::FetchMessagesResponse& b) {
      batches->emplace_back();
      for (auto& m : b.messages()) {
        batches->back().push_back(m.uid());
        got.push_back(m);
      }
      return true;
    }), IsOk());
    return got;
  };
  std::vector<std::vector<uint32_t>> batches;
  std::vector<v1::FetchedMessage> got = fetch(&batches);
  EXPECT_THAT(batches, ElementsAre(ElementsAre(1u, 2u, 3u), ElementsAre(4u)));
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].body(), small);
  EXPECT_EQ(got[2].body(), big2);
  EXPECT_EQ(got[3].body(), small);

  f.mutable_attributes()->set_body_max_size(small.size());
  batches.clear();
  got = fetch(&batches);
  EXPECT_THAT(batches, ElementsAre(ElementsAre(1u, 2u, 3u, 4u)));
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].body(), small);
  EXPECT_EQ(got[1].body(), "");  // too large: read with ReadMessage
  EXPECT_EQ(got[1].size(), big1.size());
  EXPECT_EQ(got[3].body(), small);

  // Flags, sizes and SHA-256 alone come from the messages table, in one batch of many.
  v1::FetchMessagesRequest flags = f;
  *flags.mutable_attributes() = v1::FetchAttributes();
  flags.mutable_attributes()->set_flags(true);
  flags.mutable_attributes()->set_sha256(true);
  std::vector<v1::FetchedMessage> summary;
  int calls = 0;
  ASSERT_THAT(mail_->Fetch(flags, 2, [&](v1::FetchMessagesResponse& b) {
    ++calls;
    for (auto& m : b.messages()) summary.push_back(m);
    return true;
  }), IsOk());
  EXPECT_EQ(calls, 1);
  ASSERT_EQ(summary.size(), 4u);
  EXPECT_EQ(summary[0].sha256().size(), 32u);
  EXPECT_EQ(summary[0].sha256(), summary[3].sha256());
}

TEST_F(MailDbTest, ResolveAddressAliasesPlusAndCatchAll) {
  const uint64_t user = NewUser();
  std::string address;
  absl::StatusOr<std::vector<v1::User>> users = mail_->ListUsers("example.test");
  ASSERT_THAT(users, IsOk());
  for (const v1::User& u : *users) {
    if (u.user_id() == user) address = u.address();
  }
  ASSERT_FALSE(address.empty());
  ParsedAddress alias{"team.lead", "resolve.test", "team.lead", ""};
  ASSERT_THAT(mail_->AddDomain("resolve.test", address), IsOk());
  ASSERT_THAT(mail_->AddAlias(alias, address), IsOk());
  ASSERT_THAT(mail_->CreateMailbox(user, "Lists", v1::SPECIAL_USE_UNSPECIFIED), IsOk());
  const std::string local = address.substr(0, address.find('@'));

  absl::StatusOr<v1::ResolveAddressResponse> r =
      mail_->ResolveAddress({"team.lead", "resolve.test", "team.lead", ""});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->principal().user_id(), user);
  r = mail_->ResolveAddress({local + "+lists", "example.test", local, "lists"});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->principal().user_id(), user);
  EXPECT_EQ(r->mailbox(), "Lists");
  r = mail_->ResolveAddress({"nobody", "resolve.test", "nobody", ""});  // catch-all
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->principal().user_id(), user);
  r = mail_->ResolveAddress({"nobody", "example.test", "nobody", ""});
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->is_local_domain());
  EXPECT_FALSE(r->has_principal());
  r = mail_->ResolveAddress({"x", "elsewhere.test", "x", ""});
  ASSERT_THAT(r, IsOk());
  EXPECT_FALSE(r->is_local_domain());
}

TEST_F(MailDbTest, MaildropLeaseIsExclusiveAndExpires) {
  const uint64_t user = NewUser();
  absl::StatusOr<std::string> a = mail_->AcquireLease(user, "pop3-a", 1);
  ASSERT_THAT(a, IsOk());
  EXPECT_THAT(mail_->AcquireLease(user, "pop3-b", 60),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_THAT(mail_->RenewLease(user, *a, 1), IsOk());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  absl::StatusOr<std::string> b = mail_->AcquireLease(user, "pop3-b", 60);  // a expired
  ASSERT_THAT(b, IsOk());
  EXPECT_THAT(mail_->RenewLease(user, *a, 60), StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_THAT(mail_->ReleaseLease(user, *b), IsOk());
  EXPECT_THAT(mail_->AcquireLease(user, "pop3-c", 60), IsOk());
}

TEST_F(MailDbTest, UnknownUserAndMailboxAreNotFound) {
  EXPECT_THAT(Deliver({987654321}, Message("x", "y")), StatusIs(absl::StatusCode::kNotFound));
  const uint64_t user = NewUser();
  EXPECT_THAT(Deliver({user}, Message("x", "y"), "NoSuchFolder"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(mail_->GetUserAuth("nobody@example.test"), StatusIs(absl::StatusCode::kNotFound));
  v1::ExpungeRequest ex;
  ex.set_user_id(user);
  ex.set_mailbox_id(MailboxId(user, "INBOX") + 1000000);
  EXPECT_THAT(mail_->Expunge(ex), StatusIs(absl::StatusCode::kNotFound));
}

// An expunge releases the content of the last copy of a message (and only of the last).
TEST_F(MailDbTest, ExpungeDropsUnusedContents) {
  const uint64_t user = NewUser();
  const std::string raw = Message("twice", "kept once");
  ASSERT_THAT(Deliver({user, user}, raw), IsOk());  // two copies, one content
  pqxx::connection conn(database_->dsn());
  pqxx::nontransaction q(conn);
  const auto refcount = [&]() -> int64_t {
    pqxx::result r = q.exec_params("SELECT refcount FROM contents WHERE sha256 = $1",
                                   pqxx::binarystring(Ingest(raw).sha256));
    return r.empty() ? -1 : r[0][0].as<int64_t>();
  };
  EXPECT_EQ(refcount(), 2);
  v1::ExpungeRequest ex;
  ex.set_user_id(user);
  ex.set_mailbox_id(MailboxId(user, "INBOX"));
  *ex.mutable_uids() = Set(1, 1);
  ex.set_only_deleted(false);
  ASSERT_THAT(mail_->Expunge(ex), IsOk());
  EXPECT_EQ(refcount(), 1);
  *ex.mutable_uids() = Set(2, 2);
  absl::StatusOr<v1::ExpungeResponse> r = mail_->Expunge(ex);
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(r->expunged_uids(), ElementsAre(2u));
  EXPECT_EQ(refcount(), -1);  // gone
}

}  // namespace
}  // namespace mailroom::store::db
