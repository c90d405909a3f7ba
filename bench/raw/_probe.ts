import { cassandraClient } from '../../connectors/cassandra/client.js'
import { connectionSettings } from '../../core/settings.js'
import { generateUser } from '../../connectors/generate/randomuser-generate.js'
import { cassandraWriteRate, createdUserParams, createdUsersDdl } from '../../bench/raw/cassandra-ceiling.js'
const s = connectionSettings()
const c = cassandraClient(s)
const ks = 'bench13_' + Math.random().toString(16).slice(2, 8)
await c.execute(`CREATE KEYSPACE "${ks}" WITH replication = {'class':'SimpleStrategy','replication_factor':1}`)
await c.execute(createdUsersDdl(ks, 'created_users'))
const N = Number(process.argv[2] ?? 40000)
const rows = Array.from({ length: N }, (_, i) => createdUserParams(generateUser(13, i)))
for (const conc of [32, 64, 128, 256, 512, 1024]) console.log(conc, Math.round(await cassandraWriteRate(c, ks, 'created_users', rows, conc)))
await c.execute(`DROP KEYSPACE "${ks}"`)
await c.shutdown()
