// A small thread-safe registry of Prometheus metrics (counters, gauges, histograms, each with
// optional labels) and their rendering in the Prometheus text exposition format 0.0.4.
// Free of asio so any code can update metrics cheaply: a labelled child is looked up once
// (Family::WithLabels) and then updated with lock-free atomics. http_server.h serves Render().
#ifndef MAILROOM_SERVICES_SHARED_METRICS_REGISTRY_H_
#define MAILROOM_SERVICES_SHARED_METRICS_REGISTRY_H_

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace mailroom::metrics {

enum class MetricType { kCounter, kGauge, kHistogram };

// A value that only goes up (requests served, bytes received).
class Counter {
 public:
  static constexpr MetricType kType = MetricType::kCounter;

  // Adds `amount`; negative amounts are ignored (a counter never decreases).
  void Increment(double amount = 1);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A value that goes up and down (open connections, queue length).
class Gauge {
 public:
  static constexpr MetricType kType = MetricType::kGauge;

  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Increment(double amount = 1);
  void Decrement(double amount = 1) { Increment(-amount); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Counts observations into buckets with fixed upper bounds (latencies, sizes).
class Histogram {
 public:
  static constexpr MetricType kType = MetricType::kHistogram;

  // `bounds` are the buckets' inclusive upper bounds, sorted ascending; +Inf is implicit.
  explicit Histogram(std::vector<double> bounds);

  void Observe(double value);

  const std::vector<double>& bounds() const { return bounds_; }
  // Observations per bucket (not cumulative); the last entry is the +Inf bucket.
  std::vector<uint64_t> BucketCounts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1 entries
  std::atomic<double> sum_{0};
};

// Default histogram buckets, in seconds: 1 ms .. 10 s.
std::vector<double> DefaultLatencyBuckets();

// All children of one metric name, one per combination of label values.
template <typename T>
class Family {
 public:
  // The child for `values`, given in the order of the family's label names; created on first
  // use. Missing values are taken as "", extra ones are ignored. The reference stays valid as
  // long as the Registry; cache it on hot paths.
  T& WithLabels(const std::vector<std::string>& values);
  T& WithLabels(std::initializer_list<absl::string_view> values);
  // The child without labels (for families declared with no label names).
  T& Get() { return WithLabels(std::vector<std::string>{}); }

  const std::string& name() const { return name_; }

 private:
  friend class Registry;
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> buckets);
  // Appends the HELP and TYPE lines and every child's samples.
  void AppendTo(std::string* out) const;

  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const std::vector<double> buckets_;  // histograms only
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_ ABSL_GUARDED_BY(mu_);
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Each Add* returns the family named `name`, creating it on first use; a second call with
  // the same name returns the existing family. Preconditions (checked, the process aborts with
  // a message otherwise, as they are programming errors): `name` and the label names are valid
  // Prometheus names ([a-zA-Z_:][a-zA-Z0-9_:]*, labels without ':' and not "le"), and a name
  // is not reused for another metric type or other label names.
  Family<Counter>& AddCounter(absl::string_view name, absl::string_view help,
                              std::vector<std::string> label_names = {});
  Family<Gauge>& AddGauge(absl::string_view name, absl::string_view help,
                          std::vector<std::string> label_names = {});
  // `buckets`: see Histogram; empty means DefaultLatencyBuckets().
  Family<Histogram>& AddHistogram(absl::string_view name, absl::string_view help,
                                  std::vector<std::string> label_names = {},
                                  std::vector<double> buckets = {});

  // Every metric in the text exposition format, families in name order, each with its
  // `# HELP` and `# TYPE` lines; label values escaped as the format requires.
  std::string Render() const;

 private:
  struct Entry {
    MetricType type;
    std::vector<std::string> label_names;
    std::shared_ptr<void> family;  // Family<Counter|Gauge|Histogram>
  };
  template <typename T>
  Family<T>& Add(MetricType type, absl::string_view name, absl::string_view help,
                 std::vector<std::string> label_names, std::vector<double> buckets);

  mutable absl::Mutex mu_;
  std::map<std::string, Entry, std::less<>> families_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mailroom::metrics

#endif  // MAILROOM_SERVICES_SHARED_METRICS_REGISTRY_H_
