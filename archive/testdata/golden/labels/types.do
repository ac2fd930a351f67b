* Labels of form types (version 3), in Français (fr): written by enquete export.
* In Stata 16 or later, from the export folder: do types.do
version 16

* types-member.csv
import delimited using `"types-member.csv"', varnames(nonames) rowrange(2) encoding("utf-8") bindquotes(strict) maxquotedrows(unlimited) clear
capture rename v1 member_name
capture rename v2 member_age
capture rename v3 member_fruits
capture rename v4 PARENT_KEY
capture rename v5 KEY
label variable member_name `"Nom du membre"'
label variable member_age `"Âge du membre"'
label variable member_fruits `"Fruits du membre"'
label variable PARENT_KEY `"PARENT_KEY"'
label variable KEY `"KEY"'
save `"types-member.dta"', replace

* types.csv
import delimited using `"types.csv"', varnames(nonames) rowrange(2) encoding("utf-8") bindquotes(strict) maxquotedrows(unlimited) clear
capture rename v1 SubmissionDate
capture rename v2 start
capture rename v3 end
capture rename v4 today
capture rename v5 name
capture rename v6 age
capture rename v7 weight
capture rename v8 score
capture rename v9 born
capture rename v10 woke
capture rename v11 seen
capture rename v12 owner
capture rename v13 sex
capture rename v14 fruits
capture rename v15 ranked
capture rename v16 home_Latitude
capture rename v17 home_Longitude
capture rename v18 home_Altitude
capture rename v19 home_Accuracy
capture rename v20 road
capture rename v21 photo
capture rename v22 bmi
capture rename v23 meta_instanceID
capture rename v24 KEY
capture rename v25 SubmitterID
capture rename v26 SubmitterName
capture rename v27 AttachmentsPresent
capture rename v28 AttachmentsExpected
capture rename v29 Status
capture rename v30 ReviewState
capture rename v31 DeviceID
capture rename v32 Edits
capture rename v33 FormVersion
label variable SubmissionDate `"SubmissionDate"'
label variable start `"start"'
label variable end `"end"'
label variable today `"today"'
label variable name `"Nom"'
label variable age `"Âge en années"'
label variable weight `"Poids (kg)"'
label variable score `"Note"'
label variable born `"Date de naissance"'
label variable woke `"Réveillé à"'
label variable seen `"Vu à"'
capture tostring owner, replace
generate long owner_ = .
replace owner_ = 1 if owner == `"1"'
replace owner_ = 0 if owner == `"0"'
label define l_owner 1 `"Oui"' 0 `"Non"', replace
label values owner_ l_owner
order owner_, after(owner)
drop owner
rename owner_ owner
label variable owner `"Propriétaire ?"'
capture tostring sex, replace
generate long sex_ = .
replace sex_ = 1 if sex == `"f"'
replace sex_ = 2 if sex == `"m"'
label define l_sex 1 `"Femme"' 2 `"Homme"', replace
label values sex_ l_sex
order sex_, after(sex)
drop sex
rename sex_ sex
label variable sex `"Sexe"'
label variable fruits `"Fruits mangés"'
label variable ranked `"Fruits par goût"'
label variable home_Latitude `"Maison (Latitude)"'
label variable home_Longitude `"Maison (Longitude)"'
label variable home_Altitude `"Maison (Altitude)"'
label variable home_Accuracy `"Maison (Accuracy)"'
label variable road `"Route"'
label variable photo `"Photo"'
label variable bmi `"bmi"'
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
save `"types.dta"', replace
