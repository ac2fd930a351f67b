* Labels of form household (version 2), in the form's labels: written by enquete export.
* In SPSS, from the export folder: INSERT FILE='household.sps' CD=YES.

* household-visit.csv.
GET DATA /TYPE=TXT /FILE='household-visit.csv' /ENCODING='UTF8' /ARRANGEMENT=DELIMITED /DELIMITERS=',' /QUALIFIER='"' /FIRSTCASE=2
  /VARIABLES=
    visit_date A2000
    visit_place_Latitude F40.10
    visit_place_Longitude F40.10
    visit_place_Altitude F40.10
    visit_place_Accuracy F40.10
    PARENT_KEY A2000
    KEY A2000.
MATCH FILES /FILE=* /KEEP=visit_date visit_place_Latitude visit_place_Longitude visit_place_Altitude visit_place_Accuracy PARENT_KEY KEY.
VARIABLE LABELS
  visit_date 'Date of the visit'
  visit_place_Latitude 'Place of the visit (Latitude)'
  visit_place_Longitude 'Place of the visit (Longitude)'
  visit_place_Altitude 'Place of the visit (Altitude)'
  visit_place_Accuracy 'Place of the visit (Accuracy)'
  PARENT_KEY 'PARENT_KEY'
  KEY 'KEY'.
SAVE OUTFILE='household-visit.sav'.

* household-grade.csv.
GET DATA /TYPE=TXT /FILE='household-grade.csv' /ENCODING='UTF8' /ARRANGEMENT=DELIMITED /DELIMITERS=',' /QUALIFIER='"' /FIRSTCASE=2
  /VARIABLES=
    year F20.0
    school_name A2000
    PARENT_KEY A2000
    KEY A2000.
MATCH FILES /FILE=* /KEEP=year school_name PARENT_KEY KEY.
VARIABLE LABELS
  year 'Year'
  school_name 'School name'
  PARENT_KEY 'PARENT_KEY'
  KEY 'KEY'.
SAVE OUTFILE='household-grade.sav'.

* household-child.csv.
GET DATA /TYPE=TXT /FILE='household-child.csv' /ENCODING='UTF8' /ARRANGEMENT=DELIMITED /DELIMITERS=',' /QUALIFIER='"' /FIRSTCASE=2
  /VARIABLES=
    child_name A2000
    child_age F20.0
    PARENT_KEY A2000
    KEY A2000.
MATCH FILES /FILE=* /KEEP=child_name child_age PARENT_KEY KEY.
VARIABLE LABELS
  child_name 'Child''s name'
  child_age 'Child''s age'
  PARENT_KEY 'PARENT_KEY'
  KEY 'KEY'.
SAVE OUTFILE='household-child.sav'.

* household.csv.
GET DATA /TYPE=TXT /FILE='household.csv' /ENCODING='UTF8' /ARRANGEMENT=DELIMITED /DELIMITERS=',' /QUALIFIER='"' /FIRSTCASE=2
  /VARIABLES=
    SubmissionDate A2000
    name A2000
    home_street A2000
    home_location_Latitude F40.10
    home_location_Longitude F40.10
    home_location_Altitude F40.10
    home_location_Accuracy F40.10
    langs A2000
    done A2000
    meta_instanceID A2000
    KEY A2000
    SubmitterID A2000
    SubmitterName A2000
    AttachmentsPresent F20.0
    AttachmentsExpected F20.0
    Status A2000
    ReviewState A2000
    DeviceID A2000
    Edits F20.0
    FormVersion A2000.
MATCH FILES /FILE=* /KEEP=SubmissionDate name home_street home_location_Latitude home_location_Longitude home_location_Altitude home_location_Accuracy langs done meta_instanceID KEY SubmitterID SubmitterName AttachmentsPresent AttachmentsExpected Status ReviewState DeviceID Edits FormVersion.
VARIABLE LABELS
  SubmissionDate 'SubmissionDate'
  name 'Name of the household head'
  home_street 'Street'
  home_location_Latitude 'Where is the home? (Latitude)'
  home_location_Longitude 'Where is the home? (Longitude)'
  home_location_Altitude 'Where is the home? (Altitude)'
  home_location_Accuracy 'Where is the home? (Accuracy)'
  langs 'Languages spoken'
  done 'Thank you'
  meta_instanceID 'meta-instanceID'
  KEY 'KEY'
  SubmitterID 'SubmitterID'
  SubmitterName 'SubmitterName'
  AttachmentsPresent 'AttachmentsPresent'
  AttachmentsExpected 'AttachmentsExpected'
  Status 'Status'
  ReviewState 'ReviewState'
  DeviceID 'DeviceID'
  Edits 'Edits'
  FormVersion 'FormVersion'.
SAVE OUTFILE='household.sav'.
EXECUTE.
