#include "data/gravityspy_metadata.h"

#include <csv.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "data/file_io.h"

namespace gg::data {

namespace {

// Collects the rows libcsv parses (RFC 4180: quoted fields, embedded commas and newlines).
struct RowCollector {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;

  static void on_field(void* data, std::size_t len, void* self) {
    static_cast<RowCollector*>(self)->row.emplace_back(static_cast<const char*>(data), len);
  }
  static void on_row_end(int, void* self) {
    auto* c = static_cast<RowCollector*>(self);
    c->rows.push_back(std::move(c->row));
    c->row.clear();
  }
};

std::vector<std::vector<std::string>> parse_csv(std::span<const std::uint8_t> bytes, const std::string& name) {
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0)
    throw std::runtime_error(name + ": cannot initialise the CSV parser");
  RowCollector rows;
  const std::size_t parsed =
      csv_parse(&parser, bytes.data(), bytes.size(), RowCollector::on_field, RowCollector::on_row_end, &rows);
  const bool ok = parsed == bytes.size() &&
                  csv_fini(&parser, RowCollector::on_field, RowCollector::on_row_end, &rows) == 0;
  const std::string error = ok ? "" : csv_strerror(csv_error(&parser));
  csv_free(&parser);
  if (!ok) throw std::runtime_error(name + ": malformed CSV (" + error + ")");
  return rows.rows;
}

std::size_t column(const std::vector<std::string>& header, const std::string& name, const std::string& file) {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) throw std::runtime_error(file + ": no column '" + name + "' in the header");
  return static_cast<std::size_t>(it - header.begin());
}

}  // namespace

std::unordered_map<std::string, GlitchMetadata> read_gravityspy_metadata(const std::filesystem::path& csv) {
  return parse_gravityspy_metadata(read_file_bytes(csv), csv.string());
}

std::unordered_map<std::string, GlitchMetadata> parse_gravityspy_metadata(std::span<const std::uint8_t> bytes,
                                                                           const std::string& csv) {
  const std::vector<std::vector<std::string>> rows = parse_csv(bytes, csv);
  if (rows.empty()) throw std::runtime_error(csv + ": empty CSV");
  const std::vector<std::string>& header = rows.front();
  const std::size_t id_col = column(header, "gravityspy_id", csv), label_col = column(header, "label", csv),
                    split_col = column(header, "sample_type", csv);
  std::unordered_map<std::string, GlitchMetadata> out;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const std::vector<std::string>& row = rows[r];
    const std::string where = csv + " line " + std::to_string(r + 1);
    if (row.size() != header.size())
      throw std::runtime_error(where + ": " + std::to_string(row.size()) + " fields, the header has " +
                               std::to_string(header.size()));
    const std::string& split = row[split_col];
    if (std::find(kSplitNames.begin(), kSplitNames.end(), split) == kSplitNames.end())
      throw std::runtime_error(where + ": sample_type '" + split + "' is not train, validation or test");
    if (!out.emplace(row[id_col], GlitchMetadata{row[label_col], split}).second)
      throw std::runtime_error(where + ": gravityspy_id " + row[id_col] + " appears twice");
  }
  return out;
}

void apply_metadata_splits(LayoutScan& scan, const std::unordered_map<std::string, GlitchMetadata>& metadata,
                           const std::filesystem::path& csv, bool skip_bad) {
  std::vector<GlitchFiles> kept;
  for (GlitchFiles& g : scan.glitches) {
    const auto it = metadata.find(g.id);
    std::string problem;
    if (it == metadata.end())
      problem = g.name() + ": not listed in " + csv.string();
    else if (it->second.label != g.label)
      problem = g.name() + ": " + csv.string() + " labels it " + it->second.label;
    if (problem.empty()) {
      g.split = it->second.split;
      kept.push_back(std::move(g));
    } else if (skip_bad) {
      scan.problems.push_back(problem);
    } else {
      throw std::runtime_error("Gravity Spy metadata: " + problem);
    }
  }
  scan.glitches = std::move(kept);
}

}  // namespace gg::data
