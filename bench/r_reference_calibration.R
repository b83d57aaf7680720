# Reference numbers for analysis.calibration, analysis.replicates,
# analysis.contingency and analysis.pps, computed by R's survey package.
#
# Run from the repository root (R >= 4.2 with survey and jsonlite):
#   Rscript bench/r_reference_calibration.R /work/shared/data/reference
# It writes tests/analysis/data/r_reference_calibration.json and the generated
# data sets it uses (PPS samples with their inclusion and joint probabilities,
# bootstrap replicate weights) as CSV under tests/analysis/data/. Population
# margins are those printed in R's help pages (?postStratify, ?rake,
# ?calibrate). The script records packageVersion("survey").

suppressMessages({
  library(survey)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
reference <- if (length(args)) args[[1]] else "/work/shared/data/reference"
out <- "tests/analysis/data"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
read <- function(name) read.csv(file.path(reference, paste0(name, ".csv")))

apiclus1 <- read("apiclus1")
apistrat <- read("apistrat")
apiclus2 <- read("apiclus2")
for (column in c("stype", "sch.wide", "comp.imp", "both", "awards")) {
  apiclus1[[column]] <- factor(apiclus1[[column]])
  apistrat[[column]] <- factor(apistrat[[column]])
  apiclus2[[column]] <- factor(apiclus2[[column]])
}

dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat,
                    fpc = ~fpc)
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)

pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
pop.totals <- c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018,
                api99 = 3914069)

stat <- function(x) {
  list(estimate = unname(coef(x)), se = unname(SE(x)))
}
by_stat <- function(x) {
  list(level = as.character(x[[1]]), estimate = unname(coef(x)),
       se = unname(SE(x)))
}
estimates <- function(design) {
  list(
    mean_api00 = stat(svymean(~api00, design)),
    total_enroll = stat(svytotal(~enroll, design, na.rm = TRUE)),
    mean_api00_by_schwide = by_stat(svyby(~api00, ~sch.wide, design, svymean)),
    weight_sum = sum(weights(design))
  )
}

result <- list(
  survey_version = as.character(packageVersion("survey")),
  r_version = R.version.string
)

# ---- postStratify, rake, calibrate (linear) on dclus1 ----------------------
dclus1p <- postStratify(dclus1, ~stype, pop.types)
dclus1r <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide))
dclus1g <- calibrate(dclus1, ~stype + api99, pop.totals)
result$post_stratify <- estimates(dclus1p)
result$rake <- estimates(dclus1r)
result$calibrate <- estimates(dclus1g)
# Calibrating an already post-stratified design: both adjustments count.
result$post_stratify_then_calibrate <- estimates(
  calibrate(dclus1p, ~api99, c(`(Intercept)` = 6194, api99 = 3914069)))
# Two-stage design post-stratified (later stages keep their own variance).
result$post_stratify_dclus2 <- list(
  mean_api00 = stat(svymean(~api00, postStratify(dclus2, ~stype, pop.types))))
result$post_stratify_proportion <- stat(
  svymean(~I(sch.wide == "Yes"), dclus1p))

# ---- replicate weights ----------------------------------------------------
rep_estimates <- function(design) {
  list(
    mean_api00 = stat(svymean(~api00, design)),
    total_enroll = stat(svytotal(~enroll, design, na.rm = TRUE)),
    mean_api00_by_stype = by_stat(svyby(~api00, ~stype, design, svymean)),
    degf = degf(design),
    scale = design$scale,
    rscales = design$rscales
  )
}
rclus1 <- as.svrepdesign(dclus1)  # JK1 (unstratified)
rstrat <- as.svrepdesign(dstrat)  # JKn (stratified)
result$jk1 <- rep_estimates(rclus1)
result$jkn <- rep_estimates(rstrat)
rclus1_mse <- as.svrepdesign(dclus1, mse = TRUE)
result$jk1_mse <- rep_estimates(rclus1_mse)
result$jk1_post_stratify <- rep_estimates(postStratify(rclus1, ~stype, pop.types))
result$jk1_rake <- rep_estimates(
  rake(rclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide)))
result$jk1_calibrate <- rep_estimates(calibrate(rclus1, ~stype + api99, pop.totals))

# Bootstrap from given weights: R draws them once here, the CSV carries them.
set.seed(15)
rboot_made <- as.svrepdesign(dclus1, type = "bootstrap", replicates = 50,
                             compress = FALSE)
boot_factors <- as.matrix(rboot_made$repweights)
colnames(boot_factors) <- sprintf("rep%02d", seq_len(ncol(boot_factors)))
write.csv(data.frame(boot_factors), file.path(out, "apiclus1_bootstrap.csv"),
          row.names = FALSE)
boot_weights <- boot_factors * apiclus1$pw
rboot <- svrepdesign(data = apiclus1, weights = ~pw, repweights = boot_weights,
                     type = "bootstrap", combined.weights = TRUE)
result$bootstrap <- rep_estimates(rboot)
result$bootstrap_mse <- rep_estimates(
  svrepdesign(data = apiclus1, weights = ~pw, repweights = boot_weights,
              type = "bootstrap", combined.weights = TRUE, mse = TRUE))

# A composite index (DDCI-style: 100 * sum_d w_d * mean of dimension d's
# 0/1 items) with its replicate standard error.
composite <- function(w, data) {
  m <- function(column) sum(w * (data[[column]] == "Yes")) / sum(w)
  100 * (0.6 * (m("sch.wide") + m("comp.imp")) / 2 +
         0.4 * (m("both") + m("awards")) / 2)
}
index_of <- function(design) {
  x <- withReplicates(design, composite)
  list(estimate = unname(coef(x)), se = unname(SE(x)))
}
result$composite_jk1 <- list(
  overall = index_of(rclus1),
  by_stype = lapply(c(E = "E", H = "H", M = "M"),
                    function(s) index_of(subset(rclus1, stype == s))),
  degf = degf(rclus1)
)
result$composite_jkn <- list(overall = index_of(rstrat))

# ---- svychisq (Rao-Scott) -------------------------------------------------
chisq <- function(formula, design) {
  f <- svychisq(formula, design, statistic = "F")
  x <- svychisq(formula, design, statistic = "Chisq")
  list(F = list(statistic = unname(f$statistic), ndf = unname(f$parameter[1]),
                ddf = unname(f$parameter[2]), p_value = f$p.value),
       Chisq = list(statistic = unname(x$statistic), df = unname(x$parameter),
                    p_value = x$p.value))
}
apiclus2$size <- cut(apiclus2$enroll, c(0, 300, 600, Inf),
                     labels = c("small", "medium", "large"))
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
result$chisq <- list(
  dclus1_schwide_stype = chisq(~sch.wide + stype, dclus1),
  dstrat_schwide_stype = chisq(~sch.wide + stype, dstrat),
  dclus2_size_stype = chisq(~size + stype, dclus2),
  dclus1p_schwide_stype = chisq(~sch.wide + stype, dclus1p)
)

# ---- PPS without replacement ----------------------------------------------
# Population of 20 communes with sizes; n = 6 drawn by conditional Poisson
# sampling (maximum entropy: P(s) proportional to prod p_k/(1 - p_k) over the
# sample, p_k proportional to size). Enumerating the 38 760 samples gives the
# exact inclusion and joint inclusion probabilities.
set.seed(1501)
N <- 20
n <- 6
size <- round(rgamma(N, shape = 3, scale = 300)) + 100
p <- n * size / sum(size)
stopifnot(all(p < 1))
samples <- combn(N, n)
odds <- log(p / (1 - p))
prob_s <- exp(colSums(matrix(odds[samples], nrow = n)))
prob_s <- prob_s / sum(prob_s)
member <- matrix(0, N, ncol(samples))
member[cbind(as.vector(samples), rep(seq_len(ncol(samples)), each = n))] <- 1
joint <- member %*% (prob_s * t(member))
pi <- diag(joint)
sampled <- samples[, sample(ncol(samples), 1, prob = prob_s)]
y <- round(3 + 0.001 * size + rnorm(N, 0, 0.6), 2)
z <- as.integer(y > 4)
pps_single <- data.frame(commune = sampled, size = size[sampled], pi = pi[sampled],
                         y = y[sampled], z = z[sampled])
write.csv(pps_single, file.path(out, "pps_single.csv"), row.names = FALSE)
pij <- joint[pps_single$commune, pps_single$commune]
write.csv(data.frame(pij), file.path(out, "pps_single_joint.csv"), row.names = FALSE)

ppsd <- function(pps, variance = "HT") {
  svydesign(id = ~1, fpc = ~pi, data = pps_single, pps = pps, variance = variance)
}
pps_stats <- function(design) {
  list(mean_y = stat(svymean(~y, design)), total_y = stat(svytotal(~y, design)),
       mean_z = stat(svymean(~z, design)))
}
result$pps_single <- list(
  brewer = pps_stats(ppsd("brewer")),
  ht = pps_stats(ppsd(ppsmat(pij))),
  yg = pps_stats(ppsd(ppsmat(pij), "YG")),
  hartley_rao = pps_stats(ppsd(HR())),
  hartley_rao_psum = pps_stats(ppsd(HR(sum(pi^2) / n))),
  p2bar = sum(pi^2) / n
)

# Two strata of communes, PPS of 5 and 6 communes, 4 respondents each; the
# respondents' rows carry their commune's inclusion probability.
set.seed(1502)
clustered <- do.call(rbind, lapply(1:2, function(h) {
  Nh <- c(25, 30)[h]
  nh <- c(5, 6)[h]
  sizes <- round(rgamma(Nh, shape = 2, scale = 400)) + 50
  probs <- nh * sizes / sum(sizes)
  stopifnot(all(probs < 1))
  chosen <- sample(Nh, nh, prob = sizes)
  do.call(rbind, lapply(chosen, function(j) {
    data.frame(stratum = h, commune = h * 100 + j, pi = probs[j],
               p2sum = sum(probs^2) / nh,
               rating = sample(1:5, 4, replace = TRUE,
                               prob = c(.03, .05, .12, .4, .4)))
  }))
}))
clustered$satisfied <- as.integer(clustered$rating >= 4)
# survey 4.1-1's R code path (onestrat) pairs the per-PSU fpc taken in order
# of first appearance with PSU totals in sorted order, so Brewer's variance
# depends on the row order unless rows come sorted by PSU within stratum:
# record the drawn order's result, then use sorted rows.
drawn_order <- svydesign(id = ~commune, strata = ~stratum, fpc = ~pi,
                         data = clustered, pps = "brewer")
brewer_drawn_order <- stat(svymean(~rating, drawn_order))
clustered <- clustered[order(clustered$stratum, clustered$commune), ]
write.csv(clustered, file.path(out, "pps_clustered.csv"), row.names = FALSE)
cstats <- function(design) {
  list(mean_rating = stat(svymean(~rating, design)),
       total_satisfied = stat(svytotal(~satisfied, design)),
       degf = degf(design))
}
result$pps_clustered <- list(
  brewer = cstats(svydesign(id = ~commune, strata = ~stratum, fpc = ~pi,
                            data = clustered, pps = "brewer")),
  hartley_rao = cstats(svydesign(id = ~commune, strata = ~stratum, fpc = ~pi,
                                 data = clustered, pps = HR())),
  hartley_rao_psum = cstats(svydesign(
    id = ~commune, strata = ~stratum, fpc = ~pi, data = clustered,
    pps = HR(data.frame(clustered$p2sum), data.frame(clustered$stratum)))),
  brewer_drawn_order_mean_rating = brewer_drawn_order
)

# ---- review fixes (issue 15): replicate domains, PPS lonely PSU -------------
# Proportions on a replicate design by domain: svyciprop on subset() takes
# df = degf(subset), the rank of the domain's replicate weights minus one.
apiclus1$sw <- as.numeric(apiclus1$sch.wide == "Yes")
rclus1 <- as.svrepdesign(svydesign(id = ~dnum, weights = ~pw, data = apiclus1,
                                   fpc = ~fpc))
ciprop <- function(design, method) {
  x <- svyciprop(~sw, design, method = method)
  list(estimate = as.numeric(coef(x)), se = as.numeric(SE(x)),
       ci = as.numeric(attr(x, "ci")), degf = degf(design))
}
result$replicate_proportion <- list(
  overall = lapply(c(logit = "logit", beta = "beta", mean = "mean",
                     asin = "asin"), function(m) ciprop(rclus1, m)),
  by_stype = lapply(c(E = "E", H = "H", M = "M"), function(s)
    lapply(c(logit = "logit", xlogit = "xlogit", beta = "beta"),
           function(m) ciprop(subset(rclus1, stype == s), m)))
)
result$replicate_deff <- list(
  mean_api00 = unname(deff(svymean(~api00, rclus1, deff = TRUE))),
  total_enroll = unname(deff(svytotal(~enroll, rclus1, deff = TRUE, na.rm = TRUE))),
  mean_api00_by_stype = unname(deff(svyby(~api00, ~stype, rclus1, svymean,
                                          deff = TRUE)))
)
# A composite index in a district that is one PSU: the replicate that drops
# it gives NA, which svrVar discards (with a warning), leaving SE 0 and
# degf 0 (every district of apiclus1 is one PSU).
result$composite_jk1_dnum <- lapply(c(d61 = 61, d716 = 716), function(k)
  c(suppressWarnings(index_of(subset(rclus1, dnum == k))),
    degf = degf(subset(rclus1, dnum == k))))

# Brewer's PPS variance with a stratum cut to one commune: R's lonely-PSU
# rules apply as for any design (svydesign(pps = "brewer") uses onestrat).
lonely_pps <- clustered[clustered$stratum == 2 |
                        clustered$commune == min(clustered$commune[clustered$stratum == 1]), ]
lonely_rule <- function(rule) {
  options(survey.lonely.psu = rule)
  on.exit(options(survey.lonely.psu = "fail"))
  d <- svydesign(id = ~commune, strata = ~stratum, fpc = ~pi, data = lonely_pps,
                 pps = "brewer")
  x <- try(svymean(~rating, d), silent = TRUE)
  if (inherits(x, "try-error")) return(list(error = conditionMessage(attr(x, "condition"))))
  by_stratum <- svyby(~rating, ~stratum, d, svymean)
  list(mean_rating = stat(x), mean_rating_by_stratum = by_stat(by_stratum))
}
result$pps_lonely <- lapply(c(fail = "fail", remove = "remove",
                              certainty = "certainty", adjust = "adjust",
                              average = "average"), lonely_rule)
result$pps_lonely$commune <- min(clustered$commune[clustered$stratum == 1])


# svyciprop on a post-stratified design, overall and in a domain (logit and
# beta overall; in domains only logit: R's beta there uses nrow() of the whole
# calibrated design, a departure documented in docs/methodology.md).
ps_ciprop <- function(design, method) {
  x <- svyciprop(~I(sch.wide == "Yes"), design, method = method)
  list(estimate = as.numeric(coef(x)), se = as.numeric(SE(x)),
       ci = as.numeric(attr(x, "ci")))
}
result$post_stratify_ciprop <- list(
  logit = ps_ciprop(dclus1p, "logit"),
  beta = ps_ciprop(dclus1p, "beta"),
  H_logit = ps_ciprop(subset(dclus1p, stype == "H"), "logit")
)

# Brewer PPS design: domains and proportions.
brewer_design <- svydesign(id = ~commune, strata = ~stratum, fpc = ~pi,
                           data = clustered, pps = "brewer")
pps_grp <- ifelse(clustered$rating %% 2 == 0 | clustered$commune %% 3 == 0,
                  "a", "b")
brewer_design <- update(brewer_design, grp = pps_grp)
pps_prop <- function(design, method) {
  x <- svyciprop(~satisfied, design, method = method)
  list(estimate = as.numeric(coef(x)), se = as.numeric(SE(x)),
       ci = as.numeric(attr(x, "ci")), degf = degf(design))
}
result$pps_domains <- list(
  mean_rating_by_grp = by_stat(svyby(~rating, ~grp, brewer_design, svymean)),
  satisfied_beta = pps_prop(brewer_design, "beta"),
  satisfied_grp_a_logit = pps_prop(subset(brewer_design, grp == "a"), "logit")
)

writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path(out, "r_reference_calibration.json"))
cat("wrote", file.path(out, "r_reference_calibration.json"), "with survey",
    result$survey_version, "\n")
