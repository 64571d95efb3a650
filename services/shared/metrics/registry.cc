#include "services/shared/metrics/registry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace mailroom::metrics {
namespace {

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "mailroom::metrics: %s\n", message.c_str());
  std::abort();
}

bool IsValidName(absl::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = absl::ascii_isalpha(c) || c == '_' || (allow_colon && c == ':') ||
              (i > 0 && absl::ascii_isdigit(c));
    if (!ok) return false;
  }
  return true;
}

void AtomicAdd(std::atomic<double>& target, double amount) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + amount, std::memory_order_relaxed)) {
  }
}

// Sample values: shortest text that reads back as the same double; +Inf, -Inf, NaN as the
// exposition format spells them.
std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

// HELP text escapes backslash and newline; label values also escape the double quote.
std::string Escape(absl::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

// `{a="x",b="y"}` (with `extra` appended, for histogram `le`), or "" when there are no labels.
std::string LabelSet(const std::vector<std::string>& names, const std::vector<std::string>& values,
                     absl::string_view extra = "") {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    absl::StrAppend(&out, out.empty() ? "{" : ",", names[i], "=\"", Escape(values[i], true), "\"");
  }
  if (!extra.empty()) absl::StrAppend(&out, out.empty() ? "{" : ",", extra);
  if (!out.empty()) out += "}";
  return out;
}

const char* TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

template <typename T>
std::unique_ptr<T> MakeChild(const std::vector<double>&) {
  return std::make_unique<T>();
}
template <>
std::unique_ptr<Histogram> MakeChild<Histogram>(const std::vector<double>& buckets) {
  return std::make_unique<Histogram>(buckets);
}

void RenderSample(std::string* out, absl::string_view name, const std::string& labels,
                  double value) {
  absl::StrAppend(out, name, labels, " ", FormatValue(value), "\n");
}

void AppendSamples(std::string* out, absl::string_view name,
                   const std::vector<std::string>& label_names,
                   const std::vector<std::string>& values, const Counter& counter) {
  RenderSample(out, name, LabelSet(label_names, values), counter.value());
}

void AppendSamples(std::string* out, absl::string_view name,
                   const std::vector<std::string>& label_names,
                   const std::vector<std::string>& values, const Gauge& gauge) {
  RenderSample(out, name, LabelSet(label_names, values), gauge.value());
}

// Buckets are cumulative in the exposition format; _count equals the +Inf bucket.
void AppendSamples(std::string* out, absl::string_view name,
                   const std::vector<std::string>& label_names,
                   const std::vector<std::string>& values, const Histogram& histogram) {
  std::vector<uint64_t> counts = histogram.BucketCounts();
  const std::string bucket_name = absl::StrCat(name, "_bucket");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    std::string le =
        i < histogram.bounds().size() ? FormatValue(histogram.bounds()[i]) : std::string("+Inf");
    RenderSample(out, bucket_name, LabelSet(label_names, values, absl::StrCat("le=\"", le, "\"")),
                 static_cast<double>(cumulative));
  }
  std::string labels = LabelSet(label_names, values);
  RenderSample(out, absl::StrCat(name, "_sum"), labels, histogram.sum());
  RenderSample(out, absl::StrCat(name, "_count"), labels, static_cast<double>(cumulative));
}

}  // namespace

void Counter::Increment(double amount) {
  if (amount > 0) AtomicAdd(value_, amount);
}

void Gauge::Increment(double amount) { AtomicAdd(value_, amount); }

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_, value);
}

std::vector<uint64_t> Histogram::BucketCounts() const {
  std::vector<uint64_t> counts(bounds_.size() + 1);
  for (size_t i = 0; i < counts.size(); ++i) counts[i] = counts_[i].load(std::memory_order_relaxed);
  return counts;
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

template <typename T>
Family<T>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> buckets)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      buckets_(std::move(buckets)) {}

template <typename T>
T& Family<T>::WithLabels(const std::vector<std::string>& values) {
  std::vector<std::string> key(label_names_.size());
  for (size_t i = 0; i < key.size() && i < values.size(); ++i) key[i] = values[i];
  absl::MutexLock lock(&mu_);
  std::unique_ptr<T>& child = children_[std::move(key)];
  if (child == nullptr) child = MakeChild<T>(buckets_);
  return *child;
}

template <typename T>
T& Family<T>::WithLabels(std::initializer_list<absl::string_view> values) {
  std::vector<std::string> copy;
  copy.reserve(values.size());
  for (absl::string_view v : values) copy.emplace_back(v);
  return WithLabels(copy);
}

template <typename T>
void Family<T>::AppendTo(std::string* out) const {
  absl::StrAppend(out, "# HELP ", name_, " ", Escape(help_, false), "\n# TYPE ", name_, " ",
                  TypeName(T::kType), "\n");
  absl::MutexLock lock(&mu_);
  for (const auto& [values, child] : children_) {
    AppendSamples(out, name_, label_names_, values, *child);
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

template <typename T>
Family<T>& Registry::Add(MetricType type, absl::string_view name, absl::string_view help,
                         std::vector<std::string> label_names, std::vector<double> buckets) {
  if (!IsValidName(name, /*allow_colon=*/true))
    Die(absl::StrCat("invalid metric name '", name, "'"));
  for (const std::string& label : label_names) {
    if (!IsValidName(label, /*allow_colon=*/false) || label == "le" || label.rfind("__", 0) == 0) {
      Die(absl::StrCat("invalid label name '", label, "' for metric ", name));
    }
  }
  absl::MutexLock lock(&mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    if (it->second.type != type || it->second.label_names != label_names) {
      Die(absl::StrCat("metric ", name, " registered twice with different type or labels"));
    }
    return *static_cast<Family<T>*>(it->second.family.get());
  }
  std::shared_ptr<Family<T>> family(
      new Family<T>(std::string(name), std::string(help), label_names, std::move(buckets)));
  Family<T>& result = *family;
  families_.emplace(std::string(name), Entry{type, std::move(label_names), std::move(family)});
  return result;
}

Family<Counter>& Registry::AddCounter(absl::string_view name, absl::string_view help,
                                      std::vector<std::string> label_names) {
  return Add<Counter>(MetricType::kCounter, name, help, std::move(label_names), {});
}

Family<Gauge>& Registry::AddGauge(absl::string_view name, absl::string_view help,
                                  std::vector<std::string> label_names) {
  return Add<Gauge>(MetricType::kGauge, name, help, std::move(label_names), {});
}

Family<Histogram>& Registry::AddHistogram(absl::string_view name, absl::string_view help,
                                          std::vector<std::string> label_names,
                                          std::vector<double> buckets) {
  if (buckets.empty()) buckets = DefaultLatencyBuckets();
  std::sort(buckets.begin(), buckets.end());
  buckets.erase(std::unique(buckets.begin(), buckets.end()), buckets.end());
  if (!buckets.empty() && std::isinf(buckets.back())) buckets.pop_back();  // +Inf is implicit
  return Add<Histogram>(MetricType::kHistogram, name, help, std::move(label_names),
                        std::move(buckets));
}

std::string Registry::Render() const {
  std::string out;
  absl::MutexLock lock(&mu_);
  for (const auto& [name, entry] : families_) {
    switch (entry.type) {
      case MetricType::kCounter:
        static_cast<const Family<Counter>*>(entry.family.get())->AppendTo(&out);
        break;
      case MetricType::kGauge:
        static_cast<const Family<Gauge>*>(entry.family.get())->AppendTo(&out);
        break;
      case MetricType::kHistogram:
        static_cast<const Family<Histogram>*>(entry.family.get())->AppendTo(&out);
        break;
    }
  }
  return out;
}

}  // namespace mailroom::metrics
