/*
 * Site faults of the disk driver domain (diskdd): the hooks behind the
 * FI_SITE()s in driver-domains/diskdd.c, driver-domains/nvme/nvme_disk.c and
 * backend/blkback.c (rt/fisite.h; types and effects: docs/faultinject.md,
 * "Site faults of diskdd"). Linked into diskdd only, which calls
 * diskfaults_attach once its disk is up, so hooks whose site cannot pass the
 * disk still find it.
 */
#ifndef FAULTINJECT_DISKFAULTS_H
#define FAULTINJECT_DISKFAULTS_H

#include "backend/blkdisk.h"

void diskfaults_attach(struct blkdisk *disk);

#endif
