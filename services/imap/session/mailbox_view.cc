#include "services/imap/session/mailbox_view.h"

#include <algorithm>

namespace mailroom::imap {

bool SameFlags(const v1::Flags& a, const v1::Flags& b) {
  if (a.system() != b.system() || a.keywords_size() != b.keywords_size()) return false;
  if (a.keywords_size() == 0) return true;
  std::vector<std::string> ka(a.keywords().begin(), a.keywords().end());
  std::vector<std::string> kb(b.keywords().begin(), b.keywords().end());
  std::sort(ka.begin(), ka.end());
  std::sort(kb.begin(), kb.end());
  return ka == kb;
}

void MailboxView::Load(const v1::SelectMailboxResponse& selected) {
  mailbox_id_ = selected.mailbox().mailbox_id();
  uidvalidity_ = selected.status().uidvalidity();
  uidnext_ = selected.status().uidnext();
  highestmodseq_ = selected.status().highestmodseq();
  std::vector<const v1::MessageSummary*> sorted;
  sorted.reserve(selected.messages_size());
  for (const v1::MessageSummary& m : selected.messages()) sorted.push_back(&m);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->uid() < b->uid(); });
  uids_.clear();
  flags_.clear();
  uids_.reserve(sorted.size());
  flags_.reserve(sorted.size());
  for (const v1::MessageSummary* m : sorted) {
    if (!uids_.empty() && uids_.back() == m->uid()) continue;
    uids_.push_back(m->uid());
    flags_.push_back(m->flags());
  }
  if (!uids_.empty() && uidnext_ <= uids_.back()) uidnext_ = uids_.back() + 1;
  announced_exists_ = uids_.size();
  expunge_pending_.clear();
  expunged_ahead_.clear();
  flags_ahead_.clear();
  flags_pending_.clear();
  new_pending_ = false;
  highest_added_ = 0;
  fetched_upto_ = 0;
  resync_ = false;
  saved_.clear();
  own_changes_.clear();
}

uint32_t MailboxView::UidAt(uint32_t seq) const {
  if (seq == 0 || seq > uids_.size()) return 0;
  return uids_[seq - 1];
}

uint32_t MailboxView::SeqOf(uint32_t uid) const {
  auto it = std::lower_bound(uids_.begin(), uids_.end(), uid);
  if (it == uids_.end() || *it != uid) return 0;
  return static_cast<uint32_t>(it - uids_.begin()) + 1;
}

const v1::Flags* MailboxView::FlagsOf(uint32_t uid) const {
  const uint32_t seq = SeqOf(uid);
  return seq == 0 ? nullptr : &flags_[seq - 1];
}

std::optional<std::vector<uint32_t>> MailboxView::UidsForSequences(const SequenceSet& set) const {
  std::vector<uint32_t> out;
  const uint32_t max = exists();
  if (set.is_saved_result()) {
    for (uint32_t uid : saved_) {
      if (SeqOf(uid) != 0) out.push_back(uid);
    }
    return out;
  }
  for (const SeqRange& r : set.Resolve(max)) {
    if (r.hi > max || r.lo == 0) return std::nullopt;
    for (uint32_t seq = r.lo; seq <= r.hi; ++seq) out.push_back(uids_[seq - 1]);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<uint32_t> MailboxView::UidsForUidSet(const SequenceSet& set) const {
  std::vector<uint32_t> out;
  if (set.is_saved_result()) {
    for (uint32_t uid : saved_) {
      if (SeqOf(uid) != 0) out.push_back(uid);
    }
    return out;
  }
  for (const SeqRange& r : set.Resolve(max_uid())) {
    auto it = std::lower_bound(uids_.begin(), uids_.end(), r.lo);
    for (; it != uids_.end() && *it <= r.hi; ++it) out.push_back(*it);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

v1::UidSet MailboxView::ToUidSet(const std::vector<uint32_t>& uids) const {
  v1::UidSet set;
  size_t i = 0;
  while (i < uids.size()) {
    size_t j = i;
    // Extend while the next UID is the next known message (anything in between is gone).
    uint32_t seq = SeqOf(uids[i]);
    while (j + 1 < uids.size()) {
      const bool adjacent_uid = uids[j + 1] == uids[j] + 1;
      const bool adjacent_seq = seq != 0 && seq + (j + 1 - i) <= uids_.size() &&
                                uids_[seq + (j - i)] == uids[j + 1];
      if (!adjacent_uid && !adjacent_seq) break;
      ++j;
    }
    v1::UidRange* range = set.add_ranges();
    range->set_first(uids[i]);
    range->set_last(uids[j]);
    i = j + 1;
  }
  return set;
}

void MailboxView::OnEvent(const v1::ChangeEvent& event) {
  // The event's MODSEQ is not applied here: a resync must still ask the store for every
  // change since the last MODSEQ this view has actually applied.
  switch (event.kind()) {
    case v1::ChangeEvent::KIND_READY:
      return;
    case v1::ChangeEvent::KIND_MESSAGE_ADDED:
      if (event.uids_size() == 0) {
        new_pending_ = true;
        resync_ = true;
        return;
      }
      // UIDs become visible in ascending order (DESIGN.md): one at or below max_uid() is in
      // the view already, or was expunged since; only higher ones need fetching.
      for (uint32_t uid : event.uids()) highest_added_ = std::max(highest_added_, uid);
      return;
    case v1::ChangeEvent::KIND_FLAGS_CHANGED: {
      if (event.uids_size() == 0) {
        resync_ = true;
        return;
      }
      auto own = std::find(own_changes_.begin(), own_changes_.end(), event.modseq());
      if (event.modseq() != 0 && own != own_changes_.end()) {
        own_changes_.erase(own);
        return;
      }
      for (uint32_t uid : event.uids()) {
        if (uid > max_uid()) {
          highest_added_ = std::max(highest_added_, uid);
          // Changed before the view learnt it: whoever adds it may hold older flags (the
          // session's own APPEND, a fetch already in flight), so they are fetched once more.
          uint64_t& latest = flags_ahead_[uid];
          latest = std::max(latest, event.modseq());
        } else if (SeqOf(uid) != 0) {
          uint64_t& latest = flags_pending_[uid];
          latest = std::max(latest, event.modseq());
        }
      }
      return;
    }
    case v1::ChangeEvent::KIND_MESSAGES_EXPUNGED:
      if (event.uids_size() == 0) {
        resync_ = true;
        return;
      }
      for (uint32_t uid : event.uids()) {
        if (SeqOf(uid) != 0) {
          expunge_pending_.insert(uid);
        } else if (uid > max_uid()) {
          // Not learnt yet, but a fetch of new messages in flight may still return it.
          expunged_ahead_.insert(uid);
        }
      }
      return;
    case v1::ChangeEvent::KIND_MAILBOX_CREATED:
    case v1::ChangeEvent::KIND_MAILBOX_RENAMED:
    case v1::ChangeEvent::KIND_MAILBOX_DELETED:
      return;
    default:
      resync_ = true;
      return;
  }
}

void MailboxView::NoteExpunged(const std::vector<uint32_t>& uids) {
  for (uint32_t uid : uids) {
    if (SeqOf(uid) != 0) expunge_pending_.insert(uid);
  }
}

void MailboxView::NoteOwnChange(uint64_t modseq, const std::vector<uint32_t>& uids) {
  bool echo_seen = false;
  for (uint32_t uid : uids) {
    auto it = flags_pending_.find(uid);
    if (it == flags_pending_.end() || it->second > modseq) continue;
    // An earlier change by another session is in the STORE's result too, and reaches the
    // client with it (cmd_store.cc).
    echo_seen = echo_seen || it->second == modseq;
    flags_pending_.erase(it);
  }
  if (echo_seen) return;
  if (own_changes_.size() >= kMaxOwnChanges) own_changes_.pop_front();
  own_changes_.push_back(modseq);
}

std::vector<uint32_t> MailboxView::TakeFlagsPending() {
  std::vector<uint32_t> out;
  out.reserve(flags_pending_.size());
  for (const auto& [uid, modseq] : flags_pending_) out.push_back(uid);
  flags_pending_.clear();
  return out;
}

std::vector<uint32_t> MailboxView::TakeFlagsPending(const std::vector<uint32_t>& among) {
  std::vector<uint32_t> out;
  for (auto it = flags_pending_.begin(); it != flags_pending_.end();) {
    if (std::binary_search(among.begin(), among.end(), it->first)) {
      out.push_back(it->first);
      it = flags_pending_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

bool MailboxView::AddMessage(uint32_t uid, const v1::Flags& flags) {
  if (uid == 0 || uid <= max_uid()) return false;
  // UIDs are learnt in ascending order and completely: every announced UID up to this one is
  // now known (or gone), even after this message is expunged and max_uid() drops below it.
  fetched_upto_ = std::max(fetched_upto_, uid);
  // Expunged UIDs at or below this one can never be added any more.
  const bool gone = expunged_ahead_.count(uid) > 0;
  expunged_ahead_.erase(expunged_ahead_.begin(), expunged_ahead_.upper_bound(uid));
  const auto ahead = flags_ahead_.find(uid);
  if (!gone && ahead != flags_ahead_.end()) {
    uint64_t& latest = flags_pending_[uid];
    latest = std::max(latest, ahead->second);
  }
  flags_ahead_.erase(flags_ahead_.begin(), flags_ahead_.upper_bound(uid));
  if (gone) {
    if (uidnext_ <= uid) uidnext_ = uid + 1;
    return false;
  }
  uids_.push_back(uid);
  flags_.push_back(flags);
  if (uidnext_ <= uid) uidnext_ = uid + 1;
  return true;
}

bool MailboxView::AddOwnAppended(const std::vector<uint32_t>& uids,
                                 const std::vector<v1::Flags>& flags) {
  if (uids.empty() || uids.size() != flags.size() || uids.front() != uidnext_ ||
      uids.front() <= max_uid()) {
    return false;
  }
  for (size_t i = 1; i < uids.size(); ++i) {
    if (uids[i] != uids[i - 1] + 1) return false;
  }
  for (size_t i = 0; i < uids.size(); ++i) AddMessage(uids[i], flags[i]);
  return true;
}

uint32_t MailboxView::UpdateFlags(uint32_t uid, const v1::Flags& flags) {
  const uint32_t seq = SeqOf(uid);
  if (seq == 0) return 0;
  if (SameFlags(flags_[seq - 1], flags)) return 0;
  flags_[seq - 1] = flags;
  // A message not yet announced with EXISTS has no sequence number for the client.
  return seq <= announced_exists_ ? seq : 0;
}

std::vector<uint32_t> MailboxView::TakeExpunges() {
  std::vector<uint32_t> seqs;
  if (expunge_pending_.empty()) return seqs;
  std::vector<uint32_t> keep_uids;
  std::vector<v1::Flags> keep_flags;
  keep_uids.reserve(uids_.size());
  keep_flags.reserve(uids_.size());
  size_t announced_gone = 0;
  for (size_t i = 0; i < uids_.size(); ++i) {
    if (expunge_pending_.count(uids_[i]) > 0) {
      // One never announced with EXISTS (learnt and expunged between two announcements)
      // just disappears: the client has no sequence number for it.
      if (i < announced_exists_) {
        seqs.push_back(static_cast<uint32_t>(i + 1));
        ++announced_gone;
      }
    } else {
      keep_uids.push_back(uids_[i]);
      keep_flags.push_back(std::move(flags_[i]));
    }
  }
  for (uint32_t uid : expunge_pending_) flags_pending_.erase(uid);
  std::erase_if(saved_, [this](uint32_t uid) { return expunge_pending_.count(uid) > 0; });
  expunge_pending_.clear();
  uids_ = std::move(keep_uids);
  flags_ = std::move(keep_flags);
  std::reverse(seqs.begin(), seqs.end());
  // Every EXPUNGE lowers the client's count by one on its own.
  announced_exists_ -= std::min(announced_exists_, announced_gone);
  return seqs;
}

std::optional<uint32_t> MailboxView::TakeExists() {
  if (announced_exists_ == uids_.size()) return std::nullopt;
  announced_exists_ = uids_.size();
  return static_cast<uint32_t>(uids_.size());
}

}  // namespace mailroom::imap
