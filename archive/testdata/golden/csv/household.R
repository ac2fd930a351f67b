# Labels of form household (version 2), in the form's labels: written by enquete export.
# In R, from the export folder: source("household.R", encoding = "UTF-8")
.enquete_factor <- function(d, column, values, labels) {
  if (column %in% names(d)) d[[column]] <- factor(as.character(d[[column]]), levels = values, labels = labels)
  d
}
.enquete_label <- function(d, column, label) {
  if (column %in% names(d)) attr(d[[column]], "label") <- label
  d
}

household <- read.csv("household.csv", check.names = FALSE, na.strings = "", encoding = "UTF-8", stringsAsFactors = FALSE)
household <- .enquete_label(household, "name", "Name of the household head")
household <- .enquete_label(household, "home-street", "Street")
household <- .enquete_label(household, "home-location-Latitude", "Where is the home? (Latitude)")
household <- .enquete_label(household, "home-location-Longitude", "Where is the home? (Longitude)")
household <- .enquete_label(household, "home-location-Altitude", "Where is the home? (Altitude)")
household <- .enquete_label(household, "home-location-Accuracy", "Where is the home? (Accuracy)")
household <- .enquete_label(household, "langs", "Languages spoken")
household <- .enquete_label(household, "done", "Thank you")

household_child <- read.csv("household-child.csv", check.names = FALSE, na.strings = "", encoding = "UTF-8", stringsAsFactors = FALSE)
household_child <- .enquete_label(household_child, "child_name", "Child's name")
household_child <- .enquete_label(household_child, "child_age", "Child's age")

household_grade <- read.csv("household-grade.csv", check.names = FALSE, na.strings = "", encoding = "UTF-8", stringsAsFactors = FALSE)
household_grade <- .enquete_label(household_grade, "year", "Year")
household_grade <- .enquete_label(household_grade, "school_name", "School name")

household_visit <- read.csv("household-visit.csv", check.names = FALSE, na.strings = "", encoding = "UTF-8", stringsAsFactors = FALSE)
household_visit <- .enquete_label(household_visit, "visit_date", "Date of the visit")
household_visit <- .enquete_label(household_visit, "visit_place-Latitude", "Place of the visit (Latitude)")
household_visit <- .enquete_label(household_visit, "visit_place-Longitude", "Place of the visit (Longitude)")
household_visit <- .enquete_label(household_visit, "visit_place-Altitude", "Place of the visit (Altitude)")
household_visit <- .enquete_label(household_visit, "visit_place-Accuracy", "Place of the visit (Accuracy)")
