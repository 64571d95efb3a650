#include "services/shared/config/env_flags.h"

#include <cstdio>
#include <cstdlib>

#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

extern char** environ;

namespace mailroom::config {
namespace {
constexpr std::string_view kPrefix = "MAILROOM_";
}  // namespace

std::string EnvName(std::string_view flag_name) {
  return absl::StrCat(std::string(kPrefix), absl::AsciiStrToUpper(std::string(flag_name)));
}

std::vector<std::string> ApplyEnvironment(const std::vector<std::string>& env) {
  std::vector<std::string> errors;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    std::string want = EnvName(std::string(name));
    for (const std::string& entry : env) {
      if (entry.size() <= want.size() || entry[want.size()] != '=' ||
          entry.compare(0, want.size(), want) != 0) {
        continue;
      }
      std::string error;
      if (!flag->ParseFrom(entry.substr(want.size() + 1), &error)) {
        errors.push_back(absl::StrCat(want, ": ", error));
      }
    }
  }
  return errors;
}

std::vector<char*> ParseFlagsWithEnv(int argc, char** argv, std::string_view usage) {
  absl::SetProgramUsageMessage(std::string(usage));
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (absl::StartsWith(*e, std::string(kPrefix))) env.emplace_back(*e);
  }
  std::vector<std::string> errors = ApplyEnvironment(env);
  if (!errors.empty()) {
    for (const std::string& e : errors) std::fprintf(stderr, "bad environment: %s\n", e.c_str());
    std::exit(2);
  }
  return absl::ParseCommandLine(argc, argv);
}

}  // namespace mailroom::config
