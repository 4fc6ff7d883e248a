// Datasets: MIAS, CDD-CESM, manifests, patient-level splits, the synthetic default.
