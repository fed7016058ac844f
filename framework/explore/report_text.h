// -----------------------------------------------------------------------------
// File: report_text.h
// -----------------------------------------------------------------------------
//
// The human-readable form of a Report: what ran, how fast, what was found
// (with replay tokens and the rendered race), coverage of the plan's rules,
// and the verdict on each expectation. The JSON form is protobuf's JSON
// printing of the same Report (ReportToJson).

#ifndef FAULTLINE_FRAMEWORK_EXPLORE_REPORT_TEXT_H_
#define FAULTLINE_FRAMEWORK_EXPLORE_REPORT_TEXT_H_

#include <string>

#include "absl/status/statusor.h"
#include "framework/explore/report.pb.h"

namespace faultline {

struct ReportFormat {
  bool tables = true;  // include rendered traces
  bool points = true;  // include per-point counters
};

std::string FormatReport(const Report& report, const ReportFormat& format);

absl::StatusOr<std::string> ReportToJson(const Report& report);

}  // namespace faultline

#endif  // FAULTLINE_FRAMEWORK_EXPLORE_REPORT_TEXT_H_
