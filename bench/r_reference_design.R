# Reference numbers from R's survey package for tests/analysis/test_analysis_design_r.py.
#
# Run from the repository root (needs R >= 4.1 with survey and jsonlite;
# Debian: apt-get install r-base-core r-cran-survey r-cran-jsonlite):
#
#   SURVEY_45_MULTISTAGE=/path/to/survey-4.5/R/multistage.R \
#     Rscript bench/r_reference_design.R /path/to/shared/data/reference
#
# SURVEY_45_MULTISTAGE is survey 4.5's R/multistage.R (the cran/survey GitHub
# mirror, commit "version 4.5"): its onestrat and onestage then replace
# 4.1-1's for a second run of the lonely-PSU cases, whose "adjust" differs
# (see below). The committed JSON was made with it; the tests need those rows.
#
# It reads R's own api examples from the CSVs in that folder, generates a
# stratified two-stage sample with missing answers (seed 15), writes the data it
# generates to tests/analysis/data/*.csv, reads them back (so R and the test use
# the same decimals) and writes every result to
# tests/analysis/data/r_reference_design.json with R's and survey's versions.
# Not run in CI: its output is committed.

suppressMessages({
  library(survey)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
reference <- if (length(args)) args[1] else "../shared/data/reference"
out_dir <- "tests/analysis/data"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
read_api <- function(name) read.csv(file.path(reference, paste0(name, ".csv")))
write_back <- function(frame, name) {
  path <- file.path(out_dir, paste0(name, ".csv"))
  write.csv(frame, path, row.names = FALSE)
  read.csv(path)
}

results <- list()
add <- function(name, call, values) {
  results[[length(results) + 1]] <<- list(name = name, call = call, values = values)
}
ciprop <- function(formula, design, method, ...) {
  r <- tryCatch(
    svyciprop(formula, design, method = method, ...),
    error = function(e) conditionMessage(e)
  )
  if (is.character(r)) return(list(error = r))
  list(estimate = unname(coef(r)[1]), low = unname(attr(r, "ci")[1]),
       high = unname(attr(r, "ci")[2]), df = degf(design), n_rows = nrow(design))
}
methods <- c("logit", "likelihood", "beta", "mean", "xlogit", "asin")
estimate_or_error <- function(expr) {
  r <- tryCatch(suppressWarnings(expr), error = function(e) conditionMessage(e))
  if (is.character(r)) return(list(error = r))
  list(estimate = unname(coef(r)), se = as.numeric(SE(r)))
}

# -- api data ---------------------------------------------------------------
apiclus1 <- read_api("apiclus1")
apistrat <- read_api("apistrat")
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)

for (m in methods) {
  add(paste0("svyciprop_ell0_", m),
      sprintf("svyciprop(~I(ell == 0), dclus1, method = '%s')", m),
      ciprop(~I(ell == 0), dclus1, m))
  # p = 0 and p = 1: what R gives at the boundary.
  add(paste0("svyciprop_boundary0_", m),
      sprintf("svyciprop(~I(api00 < 0), dclus1, method = '%s')", m),
      suppressWarnings(ciprop(~I(api00 < 0), dclus1, m)))
  add(paste0("svyciprop_boundary1_", m),
      sprintf("svyciprop(~I(api00 > 0), dclus1, method = '%s')", m),
      suppressWarnings(ciprop(~I(api00 > 0), dclus1, m)))
}
for (s in c("E", "H", "M")) {
  for (m in methods) {
    add(paste0("svyciprop_ell0_stype_", s, "_", m),
        sprintf("svyciprop(~I(ell == 0), subset(dclus1, stype == '%s'), method = '%s')",
                s, m),
        suppressWarnings(ciprop(~I(ell == 0), subset(dclus1, stype == s), m)))
  }
}

r <- svyratio(~api.stu, ~enroll, dclus1)
add("svyratio_dclus1", "svyratio(~api.stu, ~enroll, dclus1)",
    list(estimate = unname(coef(r)), se = as.numeric(SE(r))))
for (s in c("E", "H", "M")) {
  r <- svyratio(~api.stu, ~enroll, subset(dclus1, stype == s))
  add(paste0("svyratio_dclus1_stype_", s),
      sprintf("svyratio(~api.stu, ~enroll, subset(dclus1, stype == '%s'))", s),
      list(estimate = unname(coef(r)), se = as.numeric(SE(r))))
}

quantile_values <- function(q) {
  m <- q[[1]]
  list(quantile = unname(m[, 1]), low = unname(m[, 2]), high = unname(m[, 3]),
       se = unname(m[, 4]))
}
for (type in c("mean", "beta")) {
  add(paste0("svyquantile_dclus1_", type),
      sprintf("svyquantile(~api00, dclus1, c(0.25, 0.5, 0.75), ci = TRUE, interval.type = '%s')",
              type),
      quantile_values(svyquantile(~api00, dclus1, c(0.25, 0.5, 0.75), ci = TRUE,
                                  interval.type = type)))
}
add("svyquantile_dstrat", "svyquantile(~api00, dstrat, c(0.1, 0.5, 0.9), ci = TRUE)",
    quantile_values(svyquantile(~api00, dstrat, c(0.1, 0.5, 0.9), ci = TRUE)))

deff_values <- function(x) {
  list(estimate = unname(coef(x)), se = as.numeric(SE(x)), deff = as.numeric(deff(x)))
}
add("deff_mean_dclus1", "svymean(~api00, dclus1, deff = TRUE)",
    deff_values(svymean(~api00, dclus1, deff = TRUE)))
add("deff_total_dclus1", "svytotal(~enroll, dclus1, deff = TRUE)",
    deff_values(svytotal(~enroll, dclus1, deff = TRUE)))
add("deff_mean_dstrat", "svymean(~api00, dstrat, deff = TRUE)",
    deff_values(svymean(~api00, dstrat, deff = TRUE)))
add("deff_total_dstrat", "svytotal(~enroll, dstrat, deff = TRUE, na.rm = TRUE)",
    deff_values(svytotal(~enroll, dstrat, deff = TRUE, na.rm = TRUE)))

# -- lonely PSUs on api data: apistrat with stratum H cut to its first school --
lonely_api <- write_back(
  apistrat[apistrat$stype != "H" | !duplicated(apistrat$stype),
           c("snum", "stype", "pw", "fpc", "api00", "enroll", "awards")],
  "apistrat_lonely")
# -- generated: stratified two-stage sample, missing answers, domains ----------
set.seed(15)
make_sample <- function() {
  rows <- list()
  psu_sampled <- c(2, 3, 4, 5, 6)
  for (h in seq_along(psu_sampled)) {
    for (j in seq_len(psu_sampled[h])) {
      m <- sample(8:20, 1)
      share <- sample(3:6, 1)
      bias <- rnorm(1, 0, 0.8)
      rows[[length(rows) + 1]] <- data.frame(
        stratum = paste0("h", h), psu = paste0("h", h, "p", j), element = seq_len(m),
        fpc1 = 4 * psu_sampled[h], fpc2 = m * share, w = 4 * share,
        unit = sample(paste0("u", 1:6), m, replace = TRUE,
                      prob = c(3, 3, 2, 2, 1, 1)),
        satisfied = rbinom(m, 1, plogis(2.2 + bias)),
        rare = rbinom(m, 1, 0.985),
        score = pmin(5, pmax(1, round(4.3 + bias / 2 + rnorm(m, 0, 0.8)))),
        minutes = round(exp(rnorm(m, 3 + bias / 3, 0.6)), 1))
    }
  }
  frame <- do.call(rbind, rows)
  n <- nrow(frame)
  frame$satisfied[sample(n, round(0.1 * n))] <- NA
  frame$score[sample(n, round(0.05 * n))] <- NA
  frame$minutes[sample(n, round(0.1 * n))] <- NA
  # Unit u6 answers "rare" with 1 only: a proportion of 1 in a domain.
  frame$rare[frame$unit == "u6"] <- 1
  # A domain meeting stratum h3 in one PSU only (a "domain lonely" stratum).
  frame$pilot <- frame$stratum %in% c("h1", "h2") | frame$psu == "h3p1"
  frame
}
generated <- write_back(make_sample(), "design_generated")
gen <- svydesign(id = ~psu + element, strata = ~stratum, fpc = ~fpc1 + fpc2,
                 data = generated)
units <- sort(unique(generated$unit))

for (m in methods) {
  add(paste0("gen_svyciprop_", m),
      sprintf("svyciprop(~satisfied, gen, method = '%s', na.rm = TRUE)", m),
      ciprop(~satisfied, gen, m, na.rm = TRUE))
  for (u in units) {
    add(paste0("gen_svyciprop_", u, "_", m),
        sprintf("svyciprop(~satisfied, subset(gen, unit == '%s'), method = '%s', na.rm = TRUE)",
                u, m),
        ciprop(~satisfied, subset(gen, unit == u), m, na.rm = TRUE))
    add(paste0("gen_svyciprop_rare_", u, "_", m),
        sprintf("svyciprop(~rare, subset(gen, unit == '%s'), method = '%s')", u, m),
        suppressWarnings(ciprop(~rare, subset(gen, unit == u), m)))
  }
}
for (u in units) {
  sub <- subset(gen, unit == u)
  add(paste0("gen_degf_", u),
      sprintf("degf(subset(gen, unit == '%s')) and with satisfied present", u),
      list(all = degf(sub), present = degf(subset(sub, !is.na(satisfied)))))
  q <- svyquantile(~score, sub, 0.5, ci = TRUE, na.rm = TRUE)
  add(paste0("gen_median_score_", u),
      sprintf("svyquantile(~score, subset(gen, unit == '%s'), 0.5, ci = TRUE, na.rm = TRUE)",
              u), quantile_values(q))
  q <- svyquantile(~minutes, sub, c(0.5, 0.9), ci = TRUE, na.rm = TRUE)
  add(paste0("gen_quantile_minutes_", u),
      sprintf("svyquantile(~minutes, subset(gen, unit == '%s'), c(0.5, 0.9), ci = TRUE, na.rm = TRUE)",
              u), quantile_values(q))
  add(paste0("gen_deff_minutes_", u),
      sprintf("svymean(~minutes, subset(gen, unit == '%s'), deff = TRUE, na.rm = TRUE)", u),
      deff_values(svymean(~minutes, sub, deff = TRUE, na.rm = TRUE)))
  add(paste0("gen_ratio_", u),
      sprintf("svyratio(~score, ~minutes, subset(gen, unit == '%s'), na.rm = TRUE)", u),
      {r <- svyratio(~score, ~minutes, sub, na.rm = TRUE)
       list(estimate = unname(coef(r)), se = as.numeric(SE(r)))})
}
add("gen_median_score", "svyquantile(~score, gen, 0.5, ci = TRUE, na.rm = TRUE)",
    quantile_values(svyquantile(~score, gen, 0.5, ci = TRUE, na.rm = TRUE)))
add("gen_deff_total_minutes", "svytotal(~minutes, gen, deff = TRUE, na.rm = TRUE)",
    deff_values(svytotal(~minutes, gen, deff = TRUE, na.rm = TRUE)))

# -- lonely strata: design-level (api and generated) and domain-level ---------
lonely_gen <- write_back(
  generated[generated$stratum != "h3" | generated$psu == "h3p1",
            c("stratum", "psu", "fpc1", "w", "unit", "satisfied", "minutes", "pilot")],
  "design_generated_lonely")
# A second-stage lonely unit: PSU h2p1 keeps one sampled element of many.
lonely_stage2 <- write_back(
  generated[generated$psu != "h2p1" | generated$element == 1,
            c("stratum", "psu", "element", "fpc1", "fpc2", "unit", "minutes")],
  "design_generated_lonely_stage2")
lonely_stage2$stratum <- factor(lonely_stage2$stratum)
# Strata as factors: survey 4.5's onestage takes as.numeric(strata).
lonely_api$stype <- factor(lonely_api$stype)
lonely_gen$stratum <- factor(lonely_gen$stratum)
generated$stratum <- factor(generated$stratum)
lonely_cases <- function(suffix) {
  for (rule in c("fail", "remove", "certainty", "adjust", "average")) {
    options(survey.lonely.psu = rule)
    design <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc,
                        data = lonely_api)
    add(paste0("lonely_apistrat_", rule, suffix),
        sprintf("options(survey.lonely.psu = '%s'); d <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat_lonely)",
                rule),
        list(mean = estimate_or_error(svymean(~api00, design)),
             total = estimate_or_error(svytotal(~enroll, design)),
             mean_awards_yes = estimate_or_error(
               svymean(~api00, subset(design, awards == "Yes"))),
             mean_not_h = estimate_or_error(
               svymean(~api00, subset(design, stype != "H")))))
    for (fpc in c("none", "fpc1")) {
      design <- if (fpc == "none") {
        svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = lonely_gen)
      } else {
        svydesign(id = ~psu, strata = ~stratum, weights = ~w, fpc = ~fpc1,
                  data = lonely_gen)
      }
      values <- list(
        mean = estimate_or_error(svymean(~minutes, design, na.rm = TRUE)),
        total = estimate_or_error(svytotal(~minutes, design, na.rm = TRUE)))
      for (u in units) {
        values[[paste0("mean_", u)]] <- estimate_or_error(
          svymean(~minutes, subset(design, unit == u), na.rm = TRUE))
        values[[paste0("total_", u)]] <- estimate_or_error(
          svytotal(~minutes, subset(design, unit == u), na.rm = TRUE))
      }
      add(paste0("gen_lonely_", rule, "_", fpc, suffix),
          sprintf("options(survey.lonely.psu = '%s'); svymean(~minutes, d, na.rm = TRUE) etc. (fpc: %s)",
                  rule, fpc), values)
    }
    design <- svydesign(id = ~psu + element, strata = ~stratum, fpc = ~fpc1 + fpc2,
                        data = lonely_stage2)
    values <- list(
      mean = estimate_or_error(svymean(~minutes, design, na.rm = TRUE)),
      total = estimate_or_error(svytotal(~minutes, design, na.rm = TRUE)))
    for (u in units) {
      values[[paste0("mean_", u)]] <- estimate_or_error(
        svymean(~minutes, subset(design, unit == u), na.rm = TRUE))
    }
    add(paste0("gen_lonely_stage2_", rule, suffix),
        sprintf("options(survey.lonely.psu = '%s'); svydesign(id = ~psu + element, strata = ~stratum, fpc = ~fpc1 + fpc2): svymean(~minutes) etc.",
                rule), values)
    # Domain "pilot" meets stratum h3 of the full generated sample in one PSU.
    for (domain_lonely in c(FALSE, TRUE)) {
      options(survey.adjust.domain.lonely = domain_lonely)
      design <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, fpc = ~fpc1,
                          data = generated)
      add(paste0("gen_domain_lonely_", rule, "_", domain_lonely, suffix),
          sprintf("options(survey.lonely.psu = '%s', survey.adjust.domain.lonely = %s); svymean/svytotal(~minutes, subset(d, pilot), na.rm = TRUE)",
                  rule, domain_lonely),
          list(mean = estimate_or_error(
                 svymean(~minutes, subset(design, pilot), na.rm = TRUE)),
               total = estimate_or_error(
                 svytotal(~minutes, subset(design, pilot), na.rm = TRUE))))
    }
    options(survey.adjust.domain.lonely = FALSE)
  }
  options(survey.lonely.psu = "fail")
}
lonely_cases("")

# survey >= 4.2 centres a lonely PSU at the grand mean of the PSU totals under
# "adjust" (4.1-1 centred it at 0). With SURVEY_45_MULTISTAGE pointing to
# survey 4.5's R/multistage.R (cran/survey on GitHub), its onestrat and
# onestage replace 4.1-1's and the lonely cases are run again ("_survey45").
survey45 <- Sys.getenv("SURVEY_45_MULTISTAGE")
if (nzchar(survey45)) {
  code <- new.env(parent = asNamespace("survey"))
  sys.source(survey45, envir = code)
  for (name in c("onestrat", "onestage")) {
    assignInNamespace(name, get(name, envir = code), "survey")
  }
  lonely_cases("_survey45")
}

write_json(
  list(r_version = R.version.string,
       survey_version = as.character(packageVersion("survey")),
       survey45_multistage = nzchar(survey45),
       generated_by = "bench/r_reference_design.R",
       results = results),
  file.path(out_dir, "r_reference_design.json"),
  digits = NA, auto_unbox = TRUE, na = "string", pretty = TRUE)
cat("wrote", length(results), "results with survey", as.character(packageVersion("survey")), "\n")
