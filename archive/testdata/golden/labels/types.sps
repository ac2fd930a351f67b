* Labels of form types (version 3), in Français (fr): written by enquete export.
* In SPSS, from the export folder: INSERT FILE='types.sps' CD=YES.

* types-member.csv.
GET DATA /TYPE=TXT /FILE='types-member.csv' /ENCODING='UTF8' /ARRANGEMENT=DELIMITED /DELIMITERS=',' /QUALIFIER='"' /FIRSTCASE=2
  /VARIABLES=
    member_name A2000
    member_age F20.0
    member_fruits A2000
    PARENT_KEY A2000
    KEY A2000.
MATCH FILES /FILE=* /KEEP=member_name member_age member_fruits PARENT_KEY KEY.
VARIABLE LABELS
  member_name 'Nom du membre'
  member_age 'Âge du membre'
  member_fruits 'Fruits du membre'
  PARENT_KEY 'PARENT_KEY'
  KEY 'KEY'.
SAVE OUTFILE='types-member.sav'.

* types.csv.
GET DATA /TYPE=TXT /FILE='types.csv' /ENCODING='UTF8' /ARRANGEMENT=DELIMITED /DELIMITERS=',' /QUALIFIER='"' /FIRSTCASE=2
  /VARIABLES=
    SubmissionDate A2000
    start A2000
    end A2000
    today A2000
    name A2000
    age F20.0
    weight F40.10
    score F40.10
    born A2000
    woke A2000
    seen A2000
    owner F11.0
    sex A2000
    fruits A2000
    ranked A2000
    home_Latitude F40.10
    home_Longitude F40.10
    home_Altitude F40.10
    home_Accuracy F40.10
    road A2000
    photo A2000
    bmi A2000
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
RECODE sex ('f'=1) ('m'=2) (ELSE=SYSMIS) INTO sex_.
DELETE VARIABLES sex.
RENAME VARIABLES (sex_ = sex).
MATCH FILES /FILE=* /KEEP=SubmissionDate start end today name age weight score born woke seen owner sex fruits ranked home_Latitude home_Longitude home_Altitude home_Accuracy road photo bmi meta_instanceID KEY SubmitterID SubmitterName AttachmentsPresent AttachmentsExpected Status ReviewState DeviceID Edits FormVersion.
VARIABLE LABELS
  SubmissionDate 'SubmissionDate'
  start 'start'
  end 'end'
  today 'today'
  name 'Nom'
  age 'Âge en années'
  weight 'Poids (kg)'
  score 'Note'
  born 'Date de naissance'
  woke 'Réveillé à'
  seen 'Vu à'
  owner 'Propriétaire ?'
  sex 'Sexe'
  fruits 'Fruits mangés'
  ranked 'Fruits par goût'
  home_Latitude 'Maison (Latitude)'
  home_Longitude 'Maison (Longitude)'
  home_Altitude 'Maison (Altitude)'
  home_Accuracy 'Maison (Accuracy)'
  road 'Route'
  photo 'Photo'
  bmi 'bmi'
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
VALUE LABELS
  owner 1 'Oui' 0 'Non'
  /
  sex 1 'Femme' 2 'Homme'.
SAVE OUTFILE='types.sav'.
EXECUTE.
