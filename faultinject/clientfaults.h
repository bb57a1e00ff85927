/*
 * Site faults of a network client: a misbehaving frontend toward the NIC
 * driver domain's netback (issue 12's protocol faults "from either side").
 * The sites are in frontend/netfront.c (every image that links netfront has
 * them); the hooks, in faultinject/clientfaults.c, only in images that call
 * clientfaults_link() (udpecho), so only those offer the cl_* fault types
 * (docs/faultinject.md, CHANGE fclient).
 */
#ifndef FAULTINJECT_CLIENTFAULTS_H
#define FAULTINJECT_CLIENTFAULTS_H

/* Does nothing: calling it links the hooks into the image. */
void clientfaults_link(void);

#endif
