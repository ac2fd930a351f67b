# Labels of form types (version 3), in Français (fr): written by enquete export.
# In R, from the export folder: source("types.R", encoding = "UTF-8")
.enquete_factor <- function(d, column, values, labels) {
  if (column %in% names(d)) d[[column]] <- factor(as.character(d[[column]]), levels = values, labels = labels)
  d
}
.enquete_label <- function(d, column, label) {
  if (column %in% names(d)) attr(d[[column]], "label") <- label
  d
}

types <- read.csv("types.csv", check.names = FALSE, na.strings = "", encoding = "UTF-8", stringsAsFactors = FALSE)
types <- .enquete_label(types, "name", "Nom")
types <- .enquete_label(types, "age", "Âge en années")
types <- .enquete_label(types, "weight", "Poids (kg)")
types <- .enquete_label(types, "score", "Note")
types <- .enquete_label(types, "born", "Date de naissance")
types <- .enquete_label(types, "woke", "Réveillé à")
types <- .enquete_label(types, "seen", "Vu à")
types <- .enquete_factor(types, "owner", c("1", "0"), c("Oui", "Non"))
types <- .enquete_label(types, "owner", "Propriétaire ?")
types <- .enquete_factor(types, "sex", c("f", "m"), c("Femme", "Homme"))
types <- .enquete_label(types, "sex", "Sexe")
types <- .enquete_label(types, "fruits", "Fruits mangés")
types <- .enquete_label(types, "ranked", "Fruits par goût")
types <- .enquete_label(types, "home-Latitude", "Maison (Latitude)")
types <- .enquete_label(types, "home-Longitude", "Maison (Longitude)")
types <- .enquete_label(types, "home-Altitude", "Maison (Altitude)")
types <- .enquete_label(types, "home-Accuracy", "Maison (Accuracy)")
types <- .enquete_label(types, "road", "Route")
types <- .enquete_label(types, "photo", "Photo")

types_member <- read.csv("types-member.csv", check.names = FALSE, na.strings = "", encoding = "UTF-8", stringsAsFactors = FALSE)
types_member <- .enquete_label(types_member, "member_name", "Nom du membre")
types_member <- .enquete_label(types_member, "member_age", "Âge du membre")
types_member <- .enquete_label(types_member, "member_fruits", "Fruits du membre")
