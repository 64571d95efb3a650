#include "services/shared/metrics/registry.h"

#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mailroom::metrics {
namespace {

using ::testing::HasSubstr;

TEST(MetricsRegistryTest, RendersCounterWithHelpAndType) {
  Registry registry;
  Family<Counter>& family = registry.AddCounter("mail_sent_total", "Messages sent.", {"proto"});
  family.WithLabels({"smtp"}).Increment();
  family.WithLabels({"smtp"}).Increment(2);
  family.WithLabels({"imap"}).Increment(0.5);
  EXPECT_EQ(registry.Render(),
            "# HELP mail_sent_total Messages sent.\n"
            "# TYPE mail_sent_total counter\n"
            "mail_sent_total{proto=\"imap\"} 0.5\n"
            "mail_sent_total{proto=\"smtp\"} 3\n");
}

TEST(MetricsRegistryTest, CounterIgnoresNegativeIncrements) {
  Registry registry;
  Counter& counter = registry.AddCounter("c_total", "c").Get();
  counter.Increment(5);
  counter.Increment(-3);
  EXPECT_EQ(counter.value(), 5);
}

TEST(MetricsRegistryTest, RendersUnlabelledGaugeAndSortsFamilies) {
  Registry registry;
  registry.AddGauge("zeta", "Last.").Get().Set(-2.25);
  Gauge& open = registry.AddGauge("alpha_open", "Open things.").Get();
  open.Increment(3);
  open.Decrement();
  EXPECT_EQ(registry.Render(),
            "# HELP alpha_open Open things.\n"
            "# TYPE alpha_open gauge\n"
            "alpha_open 2\n"
            "# HELP zeta Last.\n"
            "# TYPE zeta gauge\n"
            "zeta -2.25\n");
}

TEST(MetricsRegistryTest, EscapesLabelValuesAndHelp) {
  Registry registry;
  registry.AddCounter("x_total", "Line one\nback\\slash \"quoted\"", {"path"})
      .WithLabels({"a\"b\\c\nd"})
      .Increment();
  EXPECT_EQ(registry.Render(),
            "# HELP x_total Line one\\nback\\\\slash \"quoted\"\n"
            "# TYPE x_total counter\n"
            "x_total{path=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsRegistryTest, RendersHistogramBucketsSumAndCount) {
  Registry registry;
  Histogram& histogram =
      registry.AddHistogram("rpc_seconds", "RPC latency.", {"rpc"}, {0.5, 0.25, 1})
          .WithLabels({"Get"});
  histogram.Observe(0.125);
  histogram.Observe(0.25);  // upper bounds are inclusive
  histogram.Observe(0.75);
  histogram.Observe(3);
  EXPECT_EQ(registry.Render(),
            "# HELP rpc_seconds RPC latency.\n"
            "# TYPE rpc_seconds histogram\n"
            "rpc_seconds_bucket{rpc=\"Get\",le=\"0.25\"} 2\n"
            "rpc_seconds_bucket{rpc=\"Get\",le=\"0.5\"} 2\n"
            "rpc_seconds_bucket{rpc=\"Get\",le=\"1\"} 3\n"
            "rpc_seconds_bucket{rpc=\"Get\",le=\"+Inf\"} 4\n"
            "rpc_seconds_sum{rpc=\"Get\"} 4.125\n"
            "rpc_seconds_count{rpc=\"Get\"} 4\n");
}

TEST(MetricsRegistryTest, HistogramWithoutLabelsHasOnlyLe) {
  Registry registry;
  registry.AddHistogram("size_bytes", "Sizes.", {}, {1024}).Get().Observe(10);
  EXPECT_THAT(registry.Render(), HasSubstr("size_bytes_bucket{le=\"1024\"} 1\n"));
  EXPECT_THAT(registry.Render(), HasSubstr("size_bytes_count 1\n"));
}

TEST(MetricsRegistryTest, SameNameReturnsSameFamily) {
  Registry registry;
  Family<Counter>& a = registry.AddCounter("n_total", "n", {"l"});
  Family<Counter>& b = registry.AddCounter("n_total", "n", {"l"});
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(&a.WithLabels({"v"}), &b.WithLabels({"v"}));
}

TEST(MetricsRegistryTest, MissingLabelValuesAreEmpty) {
  Registry registry;
  registry.AddCounter("m_total", "m", {"a", "b"}).WithLabels({"x"}).Increment();
  EXPECT_THAT(registry.Render(), HasSubstr("m_total{a=\"x\",b=\"\"} 1\n"));
}

TEST(MetricsRegistryDeathTest, RejectsInvalidNamesAndConflicts) {
  Registry registry;
  registry.AddCounter("ok_total", "ok");
  EXPECT_DEATH(registry.AddCounter("9bad", "bad"), "invalid metric name");
  EXPECT_DEATH(registry.AddCounter("c_total", "bad", {"le"}), "invalid label name");
  EXPECT_DEATH(registry.AddGauge("ok_total", "again"), "registered twice");
}

TEST(MetricsRegistryTest, ConcurrentIncrementsAreNotLost) {
  Registry registry;
  Family<Counter>& family = registry.AddCounter("hits_total", "hits", {"t"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&family] {
      for (int i = 0; i < 10000; ++i) family.WithLabels({"x"}).Increment();
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(family.WithLabels({"x"}).value(), 40000);
}

}  // namespace
}  // namespace mailroom::metrics
