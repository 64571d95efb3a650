// MailboxView: one IMAP session's view of its selected mailbox (DESIGN.md invariant 3). It
// holds the message sequence number <-> UID map and a flags cache, learns about changes from
// the store's Watch stream and from the session's own commands, and decides which untagged
// EXISTS / EXPUNGE / FETCH FLAGS responses may go out at a given moment (RFC 9051 §5.5,
// §7.5.1: no EXPUNGE while answering FETCH, STORE or SEARCH). Pure state: no I/O.
#ifndef MAILROOM_SERVICES_IMAP_SESSION_MAILBOX_VIEW_H_
#define MAILROOM_SERVICES_IMAP_SESSION_MAILBOX_VIEW_H_

#include <cstdint>
#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mailroom/store/v1/store.pb.h"
#include "services/imap/protocol/sequence_set.h"

namespace mailroom::imap {

namespace v1 = ::mailroom::store::v1;

class MailboxView {
 public:
  // Replaces the view with a freshly selected mailbox (SelectMailbox's answer).
  void Load(const v1::SelectMailboxResponse& selected);

  uint64_t mailbox_id() const { return mailbox_id_; }
  uint32_t uidvalidity() const { return uidvalidity_; }
  uint64_t highestmodseq() const { return highestmodseq_; }
  void RaiseModSeq(uint64_t modseq) {
    if (modseq > highestmodseq_) highestmodseq_ = modseq;
  }
  // Messages the client knows of: the number of its last EXISTS (RFC 9051 §7.4.1).
  uint32_t exists() const { return static_cast<uint32_t>(uids_.size()); }
  // Of those, the ones announced so far (a resync in the middle of a command may have added
  // messages that get their EXISTS after it).
  uint32_t announced_exists() const { return static_cast<uint32_t>(announced_exists_); }
  // The highest UID the client knows of, 0 when none.
  uint32_t max_uid() const { return uids_.empty() ? 0 : uids_.back(); }
  // The UIDNEXT the store reported at SELECT time, raised by every UID learnt since.
  uint32_t uidnext() const { return uidnext_; }

  // Every UID of the view, ascending (index + 1 = sequence number).
  const std::vector<uint32_t>& all_uids() const { return uids_; }
  // UID of sequence number `seq` (1-based); 0 when out of range.
  uint32_t UidAt(uint32_t seq) const;
  // Sequence number of `uid`; 0 when the client does not know it.
  uint32_t SeqOf(uint32_t uid) const;
  // Cached flags of a known UID (nullptr when unknown).
  const v1::Flags* FlagsOf(uint32_t uid) const;
  // True when `uid` was expunged in the store but not yet announced with EXPUNGE.
  bool IsExpungePending(uint32_t uid) const { return expunge_pending_.count(uid) > 0; }

  // Resolves a message-sequence set against the view. Returns nullopt when a number is
  // beyond exists() (the caller answers BAD); else the UIDs in ascending order.
  std::optional<std::vector<uint32_t>> UidsForSequences(const SequenceSet& set) const;
  // Resolves a UID set: the known UIDs in it, ascending (`*` is max_uid(); RFC 9051 §6.4.9
  // makes `n:*` match the highest UID even when n is larger).
  std::vector<uint32_t> UidsForUidSet(const SequenceSet& set) const;
  // Compact store ranges for UIDs sorted ascending; consecutive known UIDs form one range.
  v1::UidSet ToUidSet(const std::vector<uint32_t>& uids) const;

  // --- Changes ------------------------------------------------------------------------
  // A Watch event for this mailbox. Kinds without UIDs (or UNSPECIFIED) ask for a resync.
  void OnEvent(const v1::ChangeEvent& event);
  // Something may have been missed (a Watch stream ended, a READY after SELECT).
  void RequestResync() { resync_ = true; }
  // The session's own command added messages to this mailbox (APPEND, COPY to itself).
  void NoteNewMessages() { new_pending_ = true; }
  // The session's own APPEND stored messages `uids` (consecutive, ascending) with `flags`
  // (parallel). When they are the next UIDs of the mailbox after everything the view knows
  // (the first is uidnext()), no other message can lie between, and they are added as they
  // are, without asking the store; returns false (and adds nothing) otherwise.
  bool AddOwnAppended(const std::vector<uint32_t>& uids, const std::vector<v1::Flags>& flags);
  // The store expunged these UIDs (this session's EXPUNGE/MOVE, or a resync).
  void NoteExpunged(const std::vector<uint32_t>& uids);
  // The session's own flag change of `uids` committed at `modseq` (a STORE that changed
  // something; its results are in the cache and go to the client with the command). Its
  // Watch event brings nothing new: when it came already, the UIDs it left to fetch are
  // dropped (unless a later change is pending too); when it comes later, it is skipped. A
  // MODSEQ names one change of one mailbox (each change raises it). The last kMaxOwnChanges
  // are remembered.
  void NoteOwnChange(uint64_t modseq, const std::vector<uint32_t>& uids);

  bool resync_pending() const { return resync_; }
  // New messages to fetch: announced above what the view holds (and above what the last
  // fetch of new messages covered), or of unknown UIDs.
  bool new_pending() const {
    return new_pending_ || highest_added_ > std::max(max_uid(), fetched_upto_);
  }
  bool has_pending() const {
    return resync_ || new_pending() || !flags_pending_.empty() || !expunge_pending_.empty() ||
           announced_exists_ != uids_.size();
  }
  // UIDs whose flags changed elsewhere and must be fetched; clears the list.
  std::vector<uint32_t> TakeFlagsPending();
  // The same for those of `among` (ascending) only; the others stay pending.
  std::vector<uint32_t> TakeFlagsPending(const std::vector<uint32_t>& among);
  void ClearResync() { resync_ = false; }
  // A fetch of the new messages (UIDs above max_uid()) starts; returns the highest UID
  // announced so far, for NewMessagesFetched() once it succeeded.
  uint32_t ClearNewPending() {
    new_pending_ = false;
    return highest_added_;
  }
  // That fetch succeeded: every message announced up to `announced` is now in the view, or
  // was expunged before the fetch.
  void NewMessagesFetched(uint32_t announced) {
    fetched_upto_ = std::max(fetched_upto_, announced);
  }

  // Appends a newly learnt message (UIDs must come in ascending order; lower or known UIDs,
  // and UIDs whose expunge event came first, are ignored). Returns true when it was added.
  bool AddMessage(uint32_t uid, const v1::Flags& flags);
  // Sets the cached flags of a known UID; returns its sequence number when they differ from
  // the cache and the client was told of the message (it must hear of it), else 0.
  uint32_t UpdateFlags(uint32_t uid, const v1::Flags& flags);

  // Removes the pending expunged messages and returns the sequence numbers to announce, in
  // the order they must be sent (descending, so each number is valid when it arrives);
  // messages never announced with EXISTS are removed without a number.
  std::vector<uint32_t> TakeExpunges();
  // The EXISTS count to announce, or nullopt when the client already has it.
  std::optional<uint32_t> TakeExists();
  // Marks the current count as announced without sending it (SELECT sends its own EXISTS).
  void MarkExistsAnnounced() { announced_exists_ = uids_.size(); }

  // RFC 5182 SEARCHRES: the saved result as UIDs (expunged ones drop out).
  void SaveResult(std::vector<uint32_t> uids) { saved_ = std::move(uids); }
  const std::vector<uint32_t>& saved_result() const { return saved_; }

 private:
  uint64_t mailbox_id_ = 0;
  uint32_t uidvalidity_ = 0;
  uint32_t uidnext_ = 0;
  uint64_t highestmodseq_ = 0;
  std::vector<uint32_t> uids_;     // ascending; index + 1 = sequence number
  std::vector<v1::Flags> flags_;   // parallel to uids_
  size_t announced_exists_ = 0;
  std::set<uint32_t> expunge_pending_;
  std::set<uint32_t> expunged_ahead_;  // expunged above max_uid() before they were learnt
  std::map<uint32_t, uint64_t> flags_pending_;  // UID -> MODSEQ of its latest change event
  std::map<uint32_t, uint64_t> flags_ahead_;    // the same, for UIDs above max_uid()
  bool new_pending_ = false;
  uint32_t highest_added_ = 0;  // highest UID announced by change events
  uint32_t fetched_upto_ = 0;   // announced UIDs up to here were fetched (or are gone)
  bool resync_ = false;
  std::vector<uint32_t> saved_;
  static constexpr size_t kMaxOwnChanges = 32;
  std::deque<uint64_t> own_changes_;  // MODSEQs of NoteOwnChange(), oldest first
};

// True when two flag sets hold the same system flags and keywords (order-insensitive).
bool SameFlags(const v1::Flags& a, const v1::Flags& b);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_SESSION_MAILBOX_VIEW_H_
