#include "services/imap/protocol/enable_args.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "services/imap/protocol/arg_reader.h"
#include "services/shared/status/status_macros.h"

namespace mailroom::imap {
namespace {

constexpr size_t kMaxIdPairs = 30;
constexpr size_t kMaxIdField = 30;
constexpr size_t kMaxIdValue = 1024;

}  // namespace

absl::StatusOr<std::vector<std::string>> ParseEnableArgs(absl::Span<const Token> args) {
  std::vector<std::string> out;
  ArgReader reader(args);
  do {
    ASSIGN_OR_RETURN(std::string capability, reader.Atom("capability"));
    out.push_back(absl::AsciiStrToUpper(capability));
  } while (!reader.AtEnd());
  return out;
}

absl::StatusOr<IdParams> ParseIdArgs(absl::Span<const Token> args) {
  ArgReader reader(args);
  ASSIGN_OR_RETURN(const Token* list, reader.Any("ID parameters"));
  RETURN_IF_ERROR(reader.End());
  if (list->IsNil()) return IdParams();
  if (!list->IsList() || list->children.size() % 2 != 0 ||
      list->children.size() > 2 * kMaxIdPairs) {
    return absl::InvalidArgumentError("Invalid ID parameter list");
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> pairs;
  ArgReader items(list->children);
  while (!items.AtEnd()) {
    ASSIGN_OR_RETURN(std::string field, items.String("ID field"));
    ASSIGN_OR_RETURN(const Token* value, items.Any("ID value"));
    if (field.size() > kMaxIdField) return absl::InvalidArgumentError("ID field too long");
    for (const auto& pair : pairs) {
      if (absl::EqualsIgnoreCase(pair.first, field)) {
        return absl::InvalidArgumentError("Duplicate ID field");
      }
    }
    std::optional<std::string> text;
    if (!value->IsNil()) {
      if (!value->IsString() || value->value.size() > kMaxIdValue) {
        return absl::InvalidArgumentError("Invalid ID value");
      }
      text = value->value;
    }
    pairs.emplace_back(std::move(field), std::move(text));
  }
  return IdParams(std::move(pairs));
}

}  // namespace mailroom::imap
