#include "services/shared/log/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/shared/text/utf8.h"

namespace mailroom::log {
namespace {

std::atomic<int> g_min_level{static_cast<int>(Level::kInfo)};
std::mutex g_mu;
std::string* g_service = new std::string("mailroom");
std::function<void(std::string_view)>* g_sink = nullptr;

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarning: return "warning";
    case Level::kError: return "error";
  }
  return "info";
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20) {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    } else if (c >= 0x80) {
      size_t n = text::Utf8SequenceLength(s, i);
      if (n == 0) {
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
        ++i;
        continue;
      }
      out.append(s.substr(i, n));
      i += n;
      continue;
    } else {
      out.push_back(static_cast<char>(c));
    }
    ++i;
  }
  out.push_back('"');
}

Field::Field(std::string_view key, std::string_view value) : key_(key) {
  AppendJsonString(json_, value);
}
Field::Field(std::string_view key, int64_t value) : key_(key), json_(absl::StrCat(value)) {}
Field::Field(std::string_view key, uint64_t value) : key_(key), json_(absl::StrCat(value)) {}
Field::Field(std::string_view key, double value) : key_(key), json_(absl::StrCat(value)) {}
Field::Field(std::string_view key, bool value) : key_(key), json_(value ? "true" : "false") {}

void Init(std::string_view service, Level min_level) {
  std::lock_guard<std::mutex> lock(g_mu);
  *g_service = std::string(service);
  g_min_level.store(static_cast<int>(min_level));
}

Level ParseLevel(std::string_view name) {
  if (name == "debug") return Level::kDebug;
  if (name == "warning" || name == "warn") return Level::kWarning;
  if (name == "error") return Level::kError;
  return Level::kInfo;
}

void SetSinkForTest(std::function<void(std::string_view)> sink) {
  std::lock_guard<std::mutex> lock(g_mu);
  delete g_sink;
  g_sink = sink ? new std::function<void(std::string_view)>(std::move(sink)) : nullptr;
}

bool Enabled(Level level) { return static_cast<int>(level) >= g_min_level.load(); }

void Write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (!Enabled(level)) return;
  std::string line = "{\"ts\":\"";
  line += absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  line += "\",\"level\":\"";
  line += LevelName(level);
  line += "\",\"service\":";
  std::lock_guard<std::mutex> lock(g_mu);
  AppendJsonString(line, *g_service);
  line += ",\"msg\":";
  AppendJsonString(line, msg);
  for (const Field& f : fields) {
    line.push_back(',');
    AppendJsonString(line, f.key());
    line.push_back(':');
    line += f.json();
  }
  line += "}\n";
  if (g_sink != nullptr) {
    (*g_sink)(line);
    return;
  }
  // One write(2) per line keeps lines whole when several processes share stderr.
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(STDERR_FILENO, line.data() + done, line.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
}

}  // namespace mailroom::log
