* Labels of form household (version 2), in the form's labels: written by enquete export.
* In Stata 16 or later, from the export folder: do household.do
version 16

* household-visit.csv
import delimited using `"household-visit.csv"', varnames(nonames) rowrange(2) encoding("utf-8") bindquotes(strict) maxquotedrows(unlimited) clear
capture rename v1 visit_date
capture rename v2 visit_place_Latitude
capture rename v3 visit_place_Longitude
capture rename v4 visit_place_Altitude
capture rename v5 visit_place_Accuracy
capture rename v6 PARENT_KEY
capture rename v7 KEY
label variable visit_date `"Date of the visit"'
label variable visit_place_Latitude `"Place of the visit (Latitude)"'
label variable visit_place_Longitude `"Place of the visit (Longitude)"'
label variable visit_place_Altitude `"Place of the visit (Altitude)"'
label variable visit_place_Accuracy `"Place of the visit (Accuracy)"'
label variable PARENT_KEY `"PARENT_KEY"'
label variable KEY `"KEY"'
save `"household-visit.dta"', replace

* household-grade.csv
import delimited using `"household-grade.csv"', varnames(nonames) rowrange(2) encoding("utf-8") bindquotes(strict) maxquotedrows(unlimited) clear
capture rename v1 year
capture rename v2 school_name
capture rename v3 PARENT_KEY
capture rename v4 KEY
label variable year `"Year"'
label variable school_name `"School name"'
label variable PARENT_KEY `"PARENT_KEY"'
label variable KEY `"KEY"'
save `"household-grade.dta"', replace

* household-child.csv
import delimited using `"household-child.csv"', varnames(nonames) rowrange(2) encoding("utf-8") bindquotes(strict) maxquotedrows(unlimited) clear
capture rename v1 child_name
capture rename v2 child_age
capture rename v3 PARENT_KEY
capture rename v4 KEY
label variable child_name `"Child's name"'
label variable child_age `"Child's age"'
label variable PARENT_KEY `"PARENT_KEY"'
label variable KEY `"KEY"'
save `"household-child.dta"', replace

* household.csv
import delimited using `"household.csv"', varnames(nonames) rowrange(2) encoding("utf-8") bindquotes(strict) maxquotedrows(unlimited) clear
capture rename v1 SubmissionDate
capture rename v2 name
capture rename v3 home_street
capture rename v4 home_location_Latitude
capture rename v5 home_location_Longitude
capture rename v6 home_location_Altitude
capture rename v7 home_location_Accuracy
capture rename v8 langs
capture rename v9 done
capture rename v10 meta_instanceID
capture rename v11 KEY
capture rename v12 SubmitterID
capture rename v13 SubmitterName
capture rename v14 AttachmentsPresent
capture rename v15 AttachmentsExpected
capture rename v16 Status
capture rename v17 ReviewState
capture rename v18 DeviceID
capture rename v19 Edits
capture rename v20 FormVersion
label variable SubmissionDate `"SubmissionDate"'
label variable name `"Name of the household head"'
label variable home_street `"Street"'
label variable home_location_Latitude `"Where is the home? (Latitude)"'
label variable home_location_Longitude `"Where is the home? (Longitude)"'
label variable home_location_Altitude `"Where is the home? (Altitude)"'
label variable home_location_Accuracy `"Where is the home? (Accuracy)"'
label variable langs `"Languages spoken"'
label variable done `"Thank you"'
label variable meta_instanceID `"meta-instanceID"'
label variable KEY `"KEY"'
label variable SubmitterID `"SubmitterID"'
label variable SubmitterName `"SubmitterName"'
label variable AttachmentsPresent `"AttachmentsPresent"'
label variable AttachmentsExpected `"AttachmentsExpected"'
label variable Status `"Status"'
label variable ReviewState `"ReviewState"'
label variable DeviceID `"DeviceID"'
label variable Edits `"Edits"'
label variable FormVersion `"FormVersion"'
save `"household.dta"', replace
