# 50 tags pass validation, but orgchard adds its ownership tag: 51 is over AWS's quota.
organizational_unit "w" {
  name = "Workloads"
  tags = { k00 = "v", k01 = "v", k02 = "v", k03 = "v", k04 = "v", k05 = "v", k06 = "v", k07 = "v", k08 = "v", k09 = "v", k10 = "v", k11 = "v", k12 = "v", k13 = "v", k14 = "v", k15 = "v", k16 = "v", k17 = "v", k18 = "v", k19 = "v", k20 = "v", k21 = "v", k22 = "v", k23 = "v", k24 = "v", k25 = "v", k26 = "v", k27 = "v", k28 = "v", k29 = "v", k30 = "v", k31 = "v", k32 = "v", k33 = "v", k34 = "v", k35 = "v", k36 = "v", k37 = "v", k38 = "v", k39 = "v", k40 = "v", k41 = "v", k42 = "v", k43 = "v", k44 = "v", k45 = "v", k46 = "v", k47 = "v", k48 = "v", k49 = "v" }
}
