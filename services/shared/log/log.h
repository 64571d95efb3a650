// The JSON-lines logging facade of every Mailroom service (DESIGN.md invariant 10).
//
// One event = one line on stderr: {"ts":"…","level":"info","service":"store","msg":"…",…}.
// Never pass passwords, credentials or message bodies as fields (DESIGN.md invariant 8).
#ifndef MAILROOM_SERVICES_SHARED_LOG_LOG_H_
#define MAILROOM_SERVICES_SHARED_LOG_LOG_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

namespace mailroom::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// One key/value pair of a log line; the value is kept already JSON-encoded.
class Field {
 public:
  Field(std::string_view key, std::string_view value);
  Field(std::string_view key, const char* value) : Field(key, std::string_view(value)) {}
  Field(std::string_view key, const std::string& value) : Field(key, std::string_view(value)) {}
  Field(std::string_view key, int64_t value);
  Field(std::string_view key, uint64_t value);
  Field(std::string_view key, int value) : Field(key, static_cast<int64_t>(value)) {}
  Field(std::string_view key, unsigned value) : Field(key, static_cast<uint64_t>(value)) {}
  Field(std::string_view key, long long value) : Field(key, static_cast<int64_t>(value)) {}
  Field(std::string_view key, unsigned long long value)
      : Field(key, static_cast<uint64_t>(value)) {}
  Field(std::string_view key, double value);
  Field(std::string_view key, bool value);

  const std::string& key() const { return key_; }
  const std::string& json() const { return json_; }

 private:
  std::string key_;
  std::string json_;
};

// Process-wide settings; call once from main before threads start.
void Init(std::string_view service, Level min_level);
// Parses "debug", "info", "warning", "error"; returns kInfo for anything else.
Level ParseLevel(std::string_view name);
// Replaces where lines go (stderr by default); for tests.
void SetSinkForTest(std::function<void(std::string_view line)> sink);

bool Enabled(Level level);
void Write(Level level, std::string_view msg, std::initializer_list<Field> fields = {});

inline void Debug(std::string_view msg, std::initializer_list<Field> f = {}) {
  if (Enabled(Level::kDebug)) Write(Level::kDebug, msg, f);
}
inline void Info(std::string_view msg, std::initializer_list<Field> f = {}) {
  Write(Level::kInfo, msg, f);
}
inline void Warning(std::string_view msg, std::initializer_list<Field> f = {}) {
  Write(Level::kWarning, msg, f);
}
inline void Error(std::string_view msg, std::initializer_list<Field> f = {}) {
  Write(Level::kError, msg, f);
}

// Appends `s` to `out` as a JSON string literal (quotes included); invalid UTF-8 bytes are
// escaped as \u00XX so every line stays valid JSON.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace mailroom::log

#endif  // MAILROOM_SERVICES_SHARED_LOG_LOG_H_
